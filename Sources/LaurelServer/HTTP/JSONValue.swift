import Hummingbird

/// A JSON document built in code: objects keep their keys in the order
/// written, and `null` is written, not dropped (seed 004's
/// `"points_to_next_level": null`).
enum JSONValue: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
  case object([(String, JSONValue)])
  case array([JSONValue])
  case string(String)
  case int(Int64)
  case double(Double)
  case bool(Bool)
  case null

  init(stringLiteral value: String) { self = .string(value) }
  init(integerLiteral value: Int64) { self = .int(value) }
  init(booleanLiteral value: Bool) { self = .bool(value) }

  static func int(_ value: Int) -> JSONValue { .int(Int64(value)) }
  static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
  static func optional(_ value: Int64?) -> JSONValue { value.map(JSONValue.int) ?? .null }
  static func optional(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }

  var text: String {
    var out = ""
    write(into: &out)
    return out
  }

  func write(into out: inout String) {
    switch self {
    case .object(let fields):
      out += "{"
      for (i, (key, value)) in fields.enumerated() {
        if i > 0 { out += "," }
        out += JSONText.quote(key)
        out += ":"
        value.write(into: &out)
      }
      out += "}"
    case .array(let items):
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        item.write(into: &out)
      }
      out += "]"
    case .string(let text): out += JSONText.quote(text)
    case .int(let n): out += String(n)
    case .double(let d): out += d.isFinite ? String(d) : "null"
    case .bool(let b): out += b ? "true" : "false"
    case .null: out += "null"
    }
  }

  /// A response with this document as its body.
  func response(_ status: HTTPResponse.Status = .ok) -> Response { JSONText.response(text, status: status) }
}
