import Laurel

/// A JSON document with ordered object keys, for writing schemas whose text
/// is stable byte for byte (the drift test compares it with the committed file).
public indirect enum JSONValue: Sendable, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral
{
  case string(String)
  case number(Int)
  case bool(Bool)
  case null
  case array([JSONValue])
  case object([(String, JSONValue)])
  /// JSON text inserted as is (defaults and examples written in the key tables).
  case raw(String)

  public init(stringLiteral value: String) { self = .string(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(integerLiteral value: Int) { self = .number(value) }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

  /// Pretty-printed with two-space indentation and a final newline.
  public func rendered() -> String { render(indent: "") + "\n" }

  private func render(indent: String) -> String {
    let inner = indent + "  "
    switch self {
    case .string(let s): return Self.quote(s)
    case .number(let n): return String(n)
    case .bool(let b): return b ? "true" : "false"
    case .null: return "null"
    case .raw(let text): return text
    case .array(let items):
      if items.isEmpty { return "[]" }
      if items.allSatisfy({ if case .string = $0 { true } else { false } }) {
        return "[" + items.map { $0.render(indent: inner) }.joined(separator: ", ") + "]"
      }
      return "[\n" + items.map { inner + $0.render(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
    case .object(let pairs):
      if pairs.isEmpty { return "{}" }
      return "{\n" + pairs.map { "\(inner)\(Self.quote($0.0)): \($0.1.render(indent: inner))" }.joined(separator: ",\n")
        + "\n\(indent)}"
    }
  }

  static func quote(_ s: String) -> String { JSON.quote(s) }
}
