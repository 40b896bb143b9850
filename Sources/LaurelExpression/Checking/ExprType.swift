/// The static type of an expression, as the checker infers it.
///
/// `dyn` is "not known until run time": the checker lets it through and the
/// evaluator checks the actual value.
public indirect enum ExprType: Hashable, Sendable, CustomStringConvertible {
  case dyn
  case null
  case bool
  case int
  case uint
  case double
  case string
  case timestamp
  case duration
  case list(ExprType)
  case map(ExprType, ExprType)

  public var description: String {
    switch self {
    case .dyn: "dyn"
    case .null: "null"
    case .bool: "bool"
    case .int: "int"
    case .uint: "uint"
    case .double: "double"
    case .string: "string"
    case .timestamp: "timestamp"
    case .duration: "duration"
    case .list(let e): "list(\(e))"
    case .map(let k, let v): "map(\(k), \(v))"
    }
  }

  var isNumeric: Bool { self == .int || self == .uint || self == .double }
  var isDyn: Bool { self == .dyn }

  /// Whether a value of type `other` could be a value of this type at run time.
  package func isCompatible(with other: ExprType) -> Bool {
    switch (self, other) {
    case (.dyn, _), (_, .dyn): true
    case (.list(let a), .list(let b)): a.isCompatible(with: b)
    case (.map(let k1, let v1), .map(let k2, let v2)): k1.isCompatible(with: k2) && v1.isCompatible(with: v2)
    default: self == other
    }
  }

  /// The common type of two branches or elements: the type itself when equal, else dyn.
  func joined(with other: ExprType) -> ExprType {
    if self == other { return self }
    switch (self, other) {
    case (.list(let a), .list(let b)): return .list(a.joined(with: b))
    case (.map(let k1, let v1), .map(let k2, let v2)): return .map(k1.joined(with: k2), v1.joined(with: v2))
    default: return .dyn
    }
  }

  /// Parses a type name as rule files write it: `int`, `string`, `list(string)`,
  /// `map(string, int)`, `timestamp`, `bool`, `double`, `uint`, `duration`, `dyn`.
  public init?(parsing text: String) {
    let t = text.filter { !$0.isWhitespace }
    switch t {
    case "dyn", "any": self = .dyn
    case "bool", "boolean": self = .bool
    case "int", "integer": self = .int
    case "uint": self = .uint
    case "double", "number": self = .double
    case "string": self = .string
    case "timestamp": self = .timestamp
    case "duration": self = .duration
    case "list": self = .list(.dyn)
    case "map": self = .map(.string, .dyn)
    default:
      if t.hasPrefix("list("), t.hasSuffix(")"), let e = ExprType(parsing: String(t.dropFirst(5).dropLast())) {
        self = .list(e)
      } else if t.hasPrefix("map("), t.hasSuffix(")") {
        let inner = t.dropFirst(4).dropLast()
        var depth = 0
        var split: String.Index?
        for i in inner.indices {
          switch inner[i] {
          case "(": depth += 1
          case ")": depth -= 1
          case "," where depth == 0: split = i
          default: break
          }
        }
        guard let split, let k = ExprType(parsing: String(inner[..<split])),
          let v = ExprType(parsing: String(inner[inner.index(after: split)...]))
        else { return nil }
        self = .map(k, v)
      } else {
        return nil
      }
    }
  }
}
