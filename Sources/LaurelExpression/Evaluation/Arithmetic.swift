/// Run-time semantics of CEL's operators on arbitrary values (the generic path).
enum Arithmetic {
  static func add(_ x: Value, _ y: Value) throws(EvalError) -> Value {
    switch (x, y) {
    case (.int(let a), .int(let b)):
      let (r, o) = a.addingReportingOverflow(b)
      if o { throw EvalError.overflow("+") }
      return .int(r)
    case (.uint(let a), .uint(let b)):
      let (r, o) = a.addingReportingOverflow(b)
      if o { throw EvalError.overflow("+") }
      return .uint(r)
    case (.double(let a), .double(let b)): return .double(a + b)
    case (.string(let a), .string(let b)): return .string(a + b)
    case (.list(let a), .list(let b)): return .list(a + b)
    case (.timestamp(let t), .duration(let d)), (.duration(let d), .timestamp(let t)):
      return .timestamp(try t.adding(d))
    case (.duration(let a), .duration(let b)): return .duration(try a.adding(b))
    default: throw EvalError.noSuchOverload("_+_", x, y)
    }
  }

  static func subtract(_ x: Value, _ y: Value) throws(EvalError) -> Value {
    switch (x, y) {
    case (.int(let a), .int(let b)):
      let (r, o) = a.subtractingReportingOverflow(b)
      if o { throw EvalError.overflow("-") }
      return .int(r)
    case (.uint(let a), .uint(let b)):
      let (r, o) = a.subtractingReportingOverflow(b)
      if o { throw EvalError.overflow("-") }
      return .uint(r)
    case (.double(let a), .double(let b)): return .double(a - b)
    case (.timestamp(let a), .timestamp(let b)): return .duration(try a.subtracting(b))
    case (.timestamp(let t), .duration(let d)): return .timestamp(try t.adding(d.negated))
    case (.duration(let a), .duration(let b)): return .duration(try a.adding(b.negated))
    default: throw EvalError.noSuchOverload("_-_", x, y)
    }
  }

  static func multiply(_ x: Value, _ y: Value) throws(EvalError) -> Value {
    switch (x, y) {
    case (.int(let a), .int(let b)):
      let (r, o) = a.multipliedReportingOverflow(by: b)
      if o { throw EvalError.overflow("*") }
      return .int(r)
    case (.uint(let a), .uint(let b)):
      let (r, o) = a.multipliedReportingOverflow(by: b)
      if o { throw EvalError.overflow("*") }
      return .uint(r)
    case (.double(let a), .double(let b)): return .double(a * b)
    default: throw EvalError.noSuchOverload("_*_", x, y)
    }
  }

  static func divide(_ x: Value, _ y: Value) throws(EvalError) -> Value {
    switch (x, y) {
    case (.int(let a), .int(let b)):
      if b == 0 { throw EvalError.divisionByZero }
      let (r, o) = a.dividedReportingOverflow(by: b)
      if o { throw EvalError.overflow("/") }
      return .int(r)
    case (.uint(let a), .uint(let b)):
      if b == 0 { throw EvalError.divisionByZero }
      return .uint(a / b)
    case (.double(let a), .double(let b)): return .double(a / b)
    default: throw EvalError.noSuchOverload("_/_", x, y)
    }
  }

  static func remainder(_ x: Value, _ y: Value) throws(EvalError) -> Value {
    switch (x, y) {
    case (.int(let a), .int(let b)):
      if b == 0 { throw EvalError.moduloByZero }
      let (r, o) = a.remainderReportingOverflow(dividingBy: b)
      if o { throw EvalError.overflow("%") }
      return .int(r)
    case (.uint(let a), .uint(let b)):
      if b == 0 { throw EvalError.moduloByZero }
      return .uint(a % b)
    default: throw EvalError.noSuchOverload("_%_", x, y)
    }
  }

  static func negate(_ x: Value) throws(EvalError) -> Value {
    switch x {
    case .int(let a):
      if a == .min { throw EvalError.overflow("-") }
      return .int(-a)
    case .double(let a): return .double(-a)
    default: throw EvalError.noSuchOverload("-_", x)
    }
  }

  static func not(_ x: Value) throws(EvalError) -> Value {
    guard case .bool(let b) = x else { throw EvalError.noSuchOverload("!_", x) }
    return .bool(!b)
  }

  static func compare(_ op: BinaryOperator, _ x: Value, _ y: Value) throws(EvalError) -> Value {
    switch op {
    case .equal: return .bool(x.celEquals(y))
    case .notEqual: return .bool(!x.celEquals(y))
    case .in: return .bool(try contains(y, x))
    default:
      guard let order = try Value.compare(x, y, op: "_\(op.rawValue)_") else { return .bool(false) }
      switch op {
      case .less: return .bool(order < 0)
      case .lessOrEqual: return .bool(order <= 0)
      case .greater: return .bool(order > 0)
      default: return .bool(order >= 0)
      }
    }
  }

  static func contains(_ container: Value, _ element: Value) throws(EvalError) -> Bool {
    switch container {
    case .list(let items): return items.contains { $0.celEquals(element) }
    case .map(let m):
      guard let key = try? MapKey.lookup(element) else { return false }
      return m[key] != nil
    default: throw EvalError.noSuchOverload("@in", element, container)
    }
  }

  static func index(_ container: Value, _ key: Value) throws(EvalError) -> Value {
    switch container {
    case .list(let items):
      let i: Int64
      switch key {
      case .int(let v): i = v
      case .uint(let v): i = v > UInt64(Int64.max) ? -1 : Int64(v)
      case .double(let d) where d.rounded(.towardZero) == d && abs(d) < 9e18: i = Int64(d)
      default: throw EvalError.noSuchOverload("_[_]", container, key)
      }
      guard i >= 0, i < items.count else { throw EvalError("index out of range: \(i)") }
      return items[Int(i)]
    case .map(let m):
      guard let k = try MapKey.lookup(key), let v = m[k] else { throw EvalError.noSuchKey(key.plainText) }
      return v
    default: throw EvalError.noSuchOverload("_[_]", container, key)
    }
  }

  static func select(_ operand: Value, _ field: String, testOnly: Bool) throws(EvalError) -> Value {
    guard case .map(let m) = operand else {
      throw EvalError("type '\(operand.typeName)' does not support field selection")
    }
    if testOnly { return .bool(m[field: field] != nil) }
    guard let v = m[field: field] else { throw EvalError.noSuchKey(field) }
    return v
  }
}
