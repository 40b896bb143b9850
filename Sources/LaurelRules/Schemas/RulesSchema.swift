/// The JSON Schema (2020-12) of rule files, generated from ``RuleKeys`` — the
/// same key tables the loader enforces, so the two cannot drift.
public enum Schemas {
  /// Every schema Laurel publishes, by the name `laurel schema NAME` takes.
  public static let all: [(name: String, file: String, schema: @Sendable () -> JSONValue)] = [
    ("rules", "rules.schema.json", rules),
    ("action", "action.schema.json", action),
    ("simulate-report", "simulate-report.schema.json", simulateReport),
    ("diff-report", "diff-report.schema.json", diffReport),
  ]

  static let identifier = "^[A-Za-z_][A-Za-z0-9_]*$"

  public static func rules() -> JSONValue {
    var root = section(RuleKeys.top, summary: nil)
    if case .object(let pairs) = root {
      root = .object(
        [
          ("$schema", "https://json-schema.org/draft/2020-12/schema"),
          ("$id", "https://laurel.dev/schemas/rules.schema.json"),
          ("title", "Laurel rule file"),
          (
            "description",
            "A gamification scheme: currencies, actions and their rules, ladders, badges, caps and leaderboards. See docs/rules.md."
          ),
        ] + pairs)
    }
    return root
  }

  static func section(_ keys: [RuleKeys.Key], summary: String?) -> JSONValue {
    var pairs: [(String, JSONValue)] = [("type", "object")]
    if let summary { pairs.append(("description", .string(summary))) }
    pairs.append(("additionalProperties", false))
    let required = keys.filter(\.required).map { JSONValue.string($0.name) }
    if !required.isEmpty { pairs.append(("required", .array(required))) }
    pairs.append(("properties", .object(keys.map { ($0.name, property($0)) })))
    return .object(pairs)
  }

  static func property(_ key: RuleKeys.Key) -> JSONValue {
    guard case .object(var pairs) = shape(key.shape) else { return shape(key.shape) }
    pairs.insert(("description", .string(key.summary)), at: 0)
    if let d = key.defaultValue { pairs.append(("default", .raw(d))) }
    if let e = key.example { pairs.append(("examples", .raw("[\(e)]"))) }
    return .object(pairs)
  }

  static func shape(_ shape: RuleKeys.Shape) -> JSONValue {
    switch shape {
    case .string: return .object([("type", "string")])
    case .integer: return .object([("type", "integer")])
    case .boolean: return .object([("type", "boolean")])
    case .expression:
      return .object([("type", ["string", "integer", "number", "boolean"]), ("minLength", 1)])
    case .names:
      return .object([
        (
          "anyOf",
          [.object([("type", "string")]), .object([("type", "array"), ("items", .object([("type", "string")]))])]
        )
      ])
    case .window: return .object([("enum", ["day", "week", "month"])])
    case .fieldType:
      return .object([
        ("type", "string"),
        (
          "pattern",
          "^\\s*(dyn|any|bool|boolean|int|integer|uint|double|number|string|timestamp|duration|list|map|list\\(.+\\)|map\\(.+,.+\\))\\s*$"
        ),
      ])
    case .timestamp:
      return .object([
        ("type", "string"),
        ("pattern", "^\\d{4}-\\d{2}-\\d{2}([Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2}))?$"),
      ])
    case .duration: return .object([("type", "string"), ("pattern", "^-?(\\d+(\\.\\d+)?(h|m|s|ms|us|µs|ns))+$")])
    case .amounts:
      return .object([
        ("type", "object"), ("propertyNames", .object([("pattern", .string(identifier))])),
        ("additionalProperties", Self.shape(.expression)),
      ])
    case .stringMap:
      return .object([
        ("type", "object"), ("additionalProperties", .object([("type", ["string", "integer", "number", "boolean"])])),
      ])
    case .named(let inner, let nullable):
      var value = Self.shape(inner)
      if nullable, case .object(var pairs) = value, let t = pairs.firstIndex(where: { $0.0 == "type" }) {
        // `name:` with no value is allowed; a typed union keeps each error separate (no anyOf).
        pairs[t].1 = ["object", "null"]
        value = .object(pairs)
      }
      return .object([
        ("type", "object"), ("propertyNames", .object([("pattern", .string(identifier))])),
        ("additionalProperties", value),
      ])
    case .section(let keys): return section(keys, summary: nil)
    case .list(let inner): return .object([("type", "array"), ("items", Self.shape(inner))])
    case .anyOf(let shapes): return .object([("anyOf", .array(shapes.map(Self.shape)))])
    case .enumeration(let values): return .object([("enum", .array(values.map(JSONValue.string)))])
    case .pattern(let regex): return .object([("type", "string"), ("pattern", .string(regex))])
    }
  }
}
