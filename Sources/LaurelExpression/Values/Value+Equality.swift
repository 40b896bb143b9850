/// CEL's heterogeneous equality and ordering.
extension Value {
  /// CEL `==`: values of different kinds are unequal (never an error), numbers
  /// compare by value across int/uint/double, strings by code points.
  public func celEquals(_ other: Value) -> Bool {
    switch (self, other) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
    case (.timestamp(let a), .timestamp(let b)): return a == b
    case (.duration(let a), .duration(let b)): return a == b
    case (.list(let a), .list(let b)):
      guard a.count == b.count else { return false }
      for i in a.indices where !a[i].celEquals(b[i]) { return false }
      return true
    case (.map(let a), .map(let b)):
      guard a.count == b.count else { return false }
      for key in a.keys {
        guard let bv = b[key], a[key]!.celEquals(bv) else { return false }
      }
      return true
    default:
      if let order = Value.compareNumbers(self, other) { return order == 0 }
      return false
    }
  }

  /// Orders two numbers of any numeric kinds exactly; nil when either is not a
  /// number or a NaN is involved.
  static func compareNumbers(_ a: Value, _ b: Value) -> Int? {
    switch (a, b) {
    case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    case (.uint(let x), .uint(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    case (.double(let x), .double(let y)):
      if x.isNaN || y.isNaN { return nil }
      return x < y ? -1 : (x == y ? 0 : 1)
    case (.int(let x), .uint(let y)):
      if x < 0 { return -1 }
      let ux = UInt64(x)
      return ux < y ? -1 : (ux == y ? 0 : 1)
    case (.uint, .int): return compareNumbers(b, a).map { -$0 }
    // CEL compares ints and doubles as doubles (so 2^63-1 equals 2^63 as a double).
    case (.int(let x), .double(let y)): return compareNumbers(.double(Double(x)), .double(y))
    case (.double, .int): return compareNumbers(b, a).map { -$0 }
    case (.uint(let x), .double(let y)): return compareNumbers(.double(Double(x)), .double(y))
    case (.double, .uint): return compareNumbers(b, a).map { -$0 }
    default: return nil
    }
  }

  /// CEL ordering for `<`, `<=`, `>`, `>=`; nil for NaN (every comparison false).
  /// Throws when the kinds have no ordering (lists, maps, null, mixed kinds).
  static func compare(_ a: Value, _ b: Value, op: String) throws(EvalError) -> Int? {
    switch (a, b) {
    case (.string(let x), .string(let y)): return compareUTF8(x, y)
    case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
    case (.timestamp(let x), .timestamp(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    case (.duration(let x), .duration(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    case (.int, _), (.uint, _), (.double, _):
      switch b {
      case .int, .uint, .double: return compareNumbers(a, b)
      default: throw EvalError.noSuchOverload(op, a, b)
      }
    default: throw EvalError.noSuchOverload(op, a, b)
    }
  }

  static func compareUTF8(_ x: String, _ y: String) -> Int {
    var ix = x.utf8.makeIterator()
    var iy = y.utf8.makeIterator()
    while true {
      switch (ix.next(), iy.next()) {
      case (nil, nil): return 0
      case (nil, _): return -1
      case (_, nil): return 1
      case (let a?, let b?): if a != b { return a < b ? -1 : 1 }
      }
    }
  }
}

extension Value: Equatable {
  /// Structural equality with CEL semantics (see ``celEquals(_:)``); NaN != NaN.
  public static func == (lhs: Value, rhs: Value) -> Bool { lhs.celEquals(rhs) }
}
