/// The type conversion functions `int`, `uint`, `double`, `string`, `bool`,
/// `timestamp`, `duration`.
enum Conversions {
  static func convert(_ v: Value, to name: String) throws(EvalError) -> Value {
    switch (name, v) {
    case ("int", .int): return v
    case ("int", .uint(let u)):
      guard u <= UInt64(Int64.max) else { throw EvalError.range("int") }
      return .int(Int64(u))
    case ("int", .double(let d)):
      guard d.isFinite, d > -9.223372036854775808e18, d < 9.223372036854775807e18 else {
        throw EvalError.range("int")
      }
      return .int(Int64(d))
    case ("int", .string(let s)):
      guard let i = Int64(s) else { throw EvalError("cannot convert '\(s)' to int") }
      return .int(i)
    case ("int", .timestamp(let t)): return .int(t.seconds)
    case ("uint", .uint): return v
    case ("uint", .int(let i)):
      guard i >= 0 else { throw EvalError.range("uint") }
      return .uint(UInt64(i))
    case ("uint", .double(let d)):
      guard d.isFinite, d > -1, d < 1.8446744073709551616e19 else { throw EvalError.range("uint") }
      return .uint(UInt64(d))
    case ("uint", .string(let s)):
      guard let u = UInt64(s) else { throw EvalError("cannot convert '\(s)' to uint") }
      return .uint(u)
    case ("double", .double): return v
    case ("double", .int(let i)): return .double(Double(i))
    case ("double", .uint(let u)): return .double(Double(u))
    case ("double", .string(let s)):
      guard let d = Double(s) else { throw EvalError("cannot convert '\(s)' to double") }
      return .double(d)
    case ("string", .string): return v
    case ("string", .int(let i)): return .string(String(i))
    case ("string", .uint(let u)): return .string(String(u))
    case ("string", .double(let d)): return .string(format(d))
    case ("string", .bool(let b)): return .string(b ? "true" : "false")
    case ("string", .timestamp(let t)): return .string(t.description)
    case ("string", .duration(let d)): return .string(d.description)
    case ("bool", .bool): return v
    case ("bool", .string(let s)):
      switch s {
      case "1", "t", "T", "true", "TRUE", "True": return .bool(true)
      case "0", "f", "F", "false", "FALSE", "False": return .bool(false)
      default: throw EvalError("Type conversion error: cannot convert '\(s)' to bool")
      }
    case ("timestamp", .timestamp): return v
    case ("timestamp", .string(let s)): return .timestamp(try Timestamp(rfc3339: s))
    case ("timestamp", .int(let i)): return .timestamp(try Timestamp(seconds: i))
    case ("duration", .duration): return v
    case ("duration", .string(let s)): return .duration(try CELDuration(parsing: s))
    default: throw EvalError.noSuchOverload(name, v)
    }
  }

  /// Doubles print like CEL implementations do: no trailing `.0` on integral values.
  static func format(_ d: Double) -> String {
    if d.isFinite, d == d.rounded(), abs(d) < 1e21 {
      return String(Int64(exactly: d).map(String.init) ?? "\(d)")
    }
    return "\(d)"
  }
}
