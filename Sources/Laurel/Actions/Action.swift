public import LaurelExpression

/// A user action (an event) as the host reports it.
///
/// The JSON form, one object per line in history files:
/// `{"id":"e-1042","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"bob","author":"alice"}`.
/// Every field besides `id`, `type`, `at`, `user` and `traits` is an attribute,
/// available to rules as `event.<field>`.
public struct Action: Sendable {
  /// Unique id; an id seen before is a duplicate and changes nothing.
  public var id: String
  public var type: String
  /// When it happened; every time-based rule reads this, never the clock.
  public var at: Timestamp
  /// The actor.
  public var user: String
  public var attributes: [String: Value]
  /// Trait updates for the actor, applied before the rules run (`plan: Paid`).
  public var traits: [String: String]

  public init(
    id: String, type: String, at: Timestamp, user: String, attributes: [String: Value] = [:],
    traits: [String: String] = [:]
  ) {
    self.id = id
    self.type = type
    self.at = at
    self.user = user
    self.attributes = attributes
    self.traits = traits
  }
}

/// Why an action was refused, as a value a host can switch on: the ``kind``
/// (with a stable ``code`` for APIs and logs) and a sentence for people.
/// A refused action changes nothing.
public struct ActionError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What was wrong with the action.
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    /// The bytes are not UTF-8 text.
    case invalidUTF8
    /// Not a JSON object, or JSON with a syntax error.
    case invalidJSON
    /// A key appears twice in the object.
    case duplicateKey
    /// `id`, `type`, `at` or `user` is missing or empty.
    case missingField
    /// `at` (or a timestamp field) is not an RFC 3339 timestamp.
    case invalidTimestamp
    /// A field's value has another type than the rules declare.
    case wrongType
    /// A trait the rules do not declare, or a value it does not allow.
    case invalidTrait
    /// A rule could not be evaluated on the action (an error in `when`, `to`,
    /// an amount or a key), or gave a value of the wrong kind.
    case ruleFailed
    /// The scope expression could not tell whose member the action concerns.
    case unknownScope
    /// The action falls in a window a member's state has already left
    /// (windows only move forward).
    case late

    /// The stable code: `ACTION_INVALID_JSON`, `ACTION_LATE`, …
    public var code: String {
      switch self {
      case .invalidUTF8: "ACTION_INVALID_UTF8"
      case .invalidJSON: "ACTION_INVALID_JSON"
      case .duplicateKey: "ACTION_DUPLICATE_KEY"
      case .missingField: "ACTION_MISSING_FIELD"
      case .invalidTimestamp: "ACTION_INVALID_TIMESTAMP"
      case .wrongType: "ACTION_WRONG_TYPE"
      case .invalidTrait: "ACTION_INVALID_TRAIT"
      case .ruleFailed: "ACTION_RULE_FAILED"
      case .unknownScope: "ACTION_UNKNOWN_SCOPE"
      case .late: "ACTION_LATE"
      }
    }
  }

  public var kind: Kind
  /// The reason in words (what `laurel` prints).
  public var message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  /// The stable code of the kind (`ACTION_MISSING_FIELD`).
  public var code: String { kind.code }
  public var description: String { message }
}

/// An action resolved against compiled rules: its type looked up, attributes
/// placed in field slots and type-checked. Reusable: decoding into an existing
/// value keeps its buffers.
public struct PreparedAction: Sendable {
  public package(set) var id = "" { didSet { idHash = fnv1a(id) } }
  public package(set) var type = ""
  public package(set) var at = (try? Timestamp(seconds: 0))!
  public package(set) var user = "" { didSet { userHash = fnv1a(user) } }
  /// Index into the compiled action table; nil when no rule handles the type.
  var typeIndex: Int?
  /// Attribute values by declared field index. Set through ``setField(_:_:)``.
  private(set) var fields: [Field] = []
  /// ``fnv1a(_:seed:)`` of the id, taken when it is set: whoever deduplicates
  /// ids (the engine, or a replay's decoding thread) does not hash it again.
  package private(set) var idHash = fnv1a("")
  /// ``fnv1a(_:seed:)`` of the user. Like a field's hash, it is taken where
  /// the action is decoded (in a replay, the decoding thread), so that finding
  /// the members an action concerns hashes no strings on the engine's thread.
  private(set) var userHash = fnv1a("")
  /// (trait index, value) updates.
  var traits: [(Int, String)] = []
  /// The action's JSON as received, for stores that keep a log of actions
  /// (set by an ``ActionDecoder`` with ``ActionDecoder/keepsSource``, and by
  /// ``CompiledRules/prepare(_:)``); nil otherwise.
  public package(set) var source: String?

  package init() {}

  /// Clears every field, keeping the buffers, for `count` declared fields.
  mutating func clearFields(count: Int) {
    if fields.count != count {
      // Appended, not Array(repeating:count:), whose specialization looks the
      // storage type up at run time: that lookup cost more than the decoding.
      var blank: [Field] = []
      blank.reserveCapacity(count)
      for _ in 0..<count { blank.append(Field()) }
      fields = blank
    } else {
      for i in fields.indices { fields[i].value = nil }
    }
  }

  /// Sets field `i`, hashing it when it is a string.
  mutating func setField(_ i: Int, _ value: Value?) {
    fields[i].value = value
    if case .string(let text)? = value { fields[i].hash = fnv1a(text) }
  }

  /// An attribute's value (nil when absent), with the ``fnv1a(_:seed:)`` of
  /// a string value, kept side by side so that reading one brings the other.
  struct Field: Sendable {
    var value: Value?
    /// Meaningful only when `value` is a string.
    var hash: UInt64 = 0

    /// Whether the value is a string.
    var isString: Bool {
      if case .string? = value { return true }
      return false
    }

    /// Whether the value is a string other than "".
    var isNonEmptyString: Bool {
      switch value {
      case .string(let text)?: return !text.isEmpty
      default: return false
      }
    }
  }
}

extension Action {
  /// The action in the JSON form of the action contract (keys in a fixed order).
  public func json() -> String {
    var out =
      "{\"id\":\(JSON.quote(id)),\"type\":\(JSON.quote(type)),\"at\":\(JSON.quote(at.description)),\"user\":\(JSON.quote(user))"
    for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
      out += ",\(JSON.quote(name)):\(Self.json(value))"
    }
    if !traits.isEmpty {
      out +=
        ",\"traits\":{"
        + traits.sorted { $0.key < $1.key }.map { "\(JSON.quote($0.key)):\(JSON.quote($0.value))" }
        .joined(separator: ",") + "}"
    }
    return out + "}"
  }

  private static func json(_ value: Value) -> String {
    switch value {
    case .null: "null"
    case .bool(let b): b ? "true" : "false"
    case .int(let n): String(n)
    case .uint(let n): String(n)
    case .double(let d): d.isFinite ? String(d) : "null"
    case .string(let s): JSON.quote(s)
    case .timestamp(let t): JSON.quote(t.description)
    case .list(let items): "[" + items.map(json).joined(separator: ",") + "]"
    default: JSON.quote(value.plainText)
    }
  }
}

extension CompiledRules {
  /// Checks `action` against the declared fields and traits and prepares it for the engine.
  public func prepare(_ action: Action) throws(ActionError) -> PreparedAction {
    var prepared = PreparedAction()
    prepared.id = action.id
    prepared.type = action.type
    prepared.at = action.at
    prepared.user = action.user
    prepared.source = action.json()
    guard !action.id.isEmpty else { throw ActionError(.missingField, "action has an empty 'id'") }
    guard !action.type.isEmpty else { throw ActionError(.missingField, "action \(action.id) has an empty 'type'") }
    guard !action.user.isEmpty else { throw ActionError(.missingField, "action \(action.id) has an empty 'user'") }
    prepared.typeIndex = actionIndex[action.type]
    prepared.clearFields(count: fields.count)
    for (name, value) in action.attributes {
      guard let i = fieldIndex[name] else { continue }
      prepared.setField(i, try coerce(value, to: i, actionID: action.id))
    }
    for (name, value) in action.traits.sorted(by: { $0.key < $1.key }) {
      prepared.traits.append(try trait(name, value, actionID: action.id))
    }
    return prepared
  }

  /// Checks a value against field `i`'s declared type (ints are accepted for doubles and vice versa when exact).
  func coerce(_ value: Value, to i: Int, actionID: String) throws(ActionError) -> Value? {
    let field = fields[i]
    switch (field.type, value) {
    case (.string, .string), (.int, .int), (.bool, .bool), (.double, .double): return value
    case (_, .null): return nil
    case (.double, .int(let n)): return .double(Double(n))
    case (.int, .double(let d)) where d.rounded() == d && abs(d) < 9e15: return .int(Int64(d))
    case (.timestamp, .string(let s)):
      do { return .timestamp(try Timestamp(rfc3339: s)) } catch {
        throw ActionError(
          .invalidTimestamp, "action \(actionID): field '\(field.name)' must be an RFC 3339 timestamp, got '\(s)'")
      }
    default:
      guard value.type.isCompatible(with: field.type) || field.type == .dyn else {
        throw ActionError(
          .wrongType, "action \(actionID): field '\(field.name)' must be \(field.type), got \(value.typeName) \(value)")
      }
      return value
    }
  }

  func trait(_ name: String, _ value: String, actionID: String) throws(ActionError) -> (Int, String) {
    guard let t = traitIndex[name] else {
      throw ActionError(
        .invalidTrait,
        "action \(actionID): unknown trait '\(name)'; declared traits: \(traits.map(\.name).joined(separator: ", "))")
    }
    let allowed = traits[t].values
    guard allowed.isEmpty || allowed.contains(value) else {
      throw ActionError(
        .invalidTrait,
        "action \(actionID): trait '\(name)' must be one of \(allowed.sorted().joined(separator: ", ")), got '\(value)'"
      )
    }
    return (t, value)
  }
}
