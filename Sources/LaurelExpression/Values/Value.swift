/// A CEL value.
///
/// Strings compare by Unicode code points with no normalisation, as CEL requires
/// (Swift's own `==` on `String` applies canonical equivalence, so never use it on
/// CEL strings: use ``Value/celEquals(_:)``).
public enum Value: Sendable {
  case null
  case bool(Bool)
  case int(Int64)
  case uint(UInt64)
  case double(Double)
  case string(String)
  case list([Value])
  case map(MapValue)
  case timestamp(Timestamp)
  case duration(CELDuration)

  /// The CEL type of this value.
  public var type: ExprType {
    switch self {
    case .null: .null
    case .bool: .bool
    case .int: .int
    case .uint: .uint
    case .double: .double
    case .string: .string
    case .list: .list(.dyn)
    case .map: .map(.dyn, .dyn)
    case .timestamp: .timestamp
    case .duration: .duration
    }
  }

  /// The type's name as CEL prints it in messages (`int`, `list`, ...).
  public var typeName: String {
    switch self {
    case .list: "list"
    case .map: "map"
    default: type.description
    }
  }
}

/// A CEL map: keys of type bool, int, uint or string; insertion order is kept so
/// output is deterministic.
public struct MapValue: Sendable {
  public private(set) var keys: [MapKey] = []
  private var storage: [MapKey: Value] = [:]

  public init() {}

  /// Builds a map; a repeated key is an error, as in CEL map literals.
  public init(_ pairs: [(MapKey, Value)]) throws(EvalError) {
    keys.reserveCapacity(pairs.count)
    storage.reserveCapacity(pairs.count)
    for (key, value) in pairs {
      if storage.updateValue(value, forKey: key) != nil {
        throw EvalError("Failed with repeated key: \(key)")
      }
      keys.append(key)
    }
  }

  public var count: Int { keys.count }
  public var isEmpty: Bool { keys.isEmpty }

  public subscript(key: MapKey) -> Value? {
    get { storage[key] }
    set {
      if let newValue {
        if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
      } else if storage.removeValue(forKey: key) != nil {
        keys.removeAll { $0 == key }
      }
    }
  }

  /// The value for a string key, as field selection (`m.name`) looks it up.
  public subscript(field name: String) -> Value? { storage[.string(name)] }

  /// Key-value pairs in insertion order.
  public var entries: [(key: MapKey, value: Value)] { keys.map { ($0, storage[$0]!) } }
}

/// A map key. An int and a uint with the same numeric value are the same key,
/// as CEL's heterogeneous equality requires; strings compare by code points.
public enum MapKey: Hashable, Sendable, CustomStringConvertible {
  case bool(Bool)
  case int(Int64)
  case uint(UInt64)
  case string(String)

  /// The key for a value, or an error when the value's type can't be a key.
  public init(_ value: Value) throws(EvalError) {
    switch value {
    case .bool(let b): self = .bool(b)
    case .int(let i): self = .int(i)
    case .uint(let u): self = .uint(u)
    case .string(let s): self = .string(s)
    default: throw EvalError("unsupported key type: \(value.typeName)")
    }
  }

  /// The key to look a value up by: like `init` but a double with an integral
  /// value finds the int/uint key of the same value (`{1: 'a'}[1.0]`).
  public static func lookup(_ value: Value) throws(EvalError) -> MapKey? {
    if case .double(let d) = value {
      guard d.rounded(.towardZero) == d, d.isFinite else { return nil }
      if d >= -9.223372036854775808e18 && d < 9.223372036854775808e18 { return .int(Int64(d)) }
      if d >= 0 && d < 1.8446744073709551616e19 { return .uint(UInt64(d)) }
      return nil
    }
    return try MapKey(value)
  }

  public var value: Value {
    switch self {
    case .bool(let b): .bool(b)
    case .int(let i): .int(i)
    case .uint(let u): .uint(u)
    case .string(let s): .string(s)
    }
  }

  /// int and uint keys with the same value collapse to one normal form.
  private var normalised: MapKey {
    if case .uint(let u) = self, u <= UInt64(Int64.max) { return .int(Int64(u)) }
    return self
  }

  public static func == (lhs: MapKey, rhs: MapKey) -> Bool {
    switch (lhs.normalised, rhs.normalised) {
    case (.bool(let a), .bool(let b)): a == b
    case (.int(let a), .int(let b)): a == b
    case (.uint(let a), .uint(let b)): a == b
    case (.string(let a), .string(let b)): a.utf8.elementsEqual(b.utf8)
    default: false
    }
  }

  public func hash(into hasher: inout Hasher) {
    switch normalised {
    case .bool(let b): hasher.combine(0 as UInt8); hasher.combine(b)
    case .int(let i): hasher.combine(1 as UInt8); hasher.combine(i)
    case .uint(let u): hasher.combine(2 as UInt8); hasher.combine(u)
    case .string(let s):
      hasher.combine(3 as UInt8)
      for byte in s.utf8 { hasher.combine(byte) }
    }
  }

  public var description: String {
    switch self {
    case .bool(let b): "\(b)"
    case .int(let i): "\(i)"
    case .uint(let u): "\(u)u"
    case .string(let s): "'\(s)'"
    }
  }
}

extension Value: CustomStringConvertible {
  /// The value in CEL literal syntax (`'text'`, `3u`, `[1, 2]`, `{'k': true}`).
  public var description: String {
    switch self {
    case .null: "null"
    case .bool(let b): b ? "true" : "false"
    case .int(let i): String(i)
    case .uint(let u): "\(u)u"
    case .double(let d): "\(d)"
    case .string(let s): "'\(s)'"
    case .list(let l): "[" + l.map(\.description).joined(separator: ", ") + "]"
    case .map(let m): "{" + m.entries.map { "\($0.key.value): \($0.value)" }.joined(separator: ", ") + "}"
    case .timestamp(let t): "timestamp('\(t)')"
    case .duration(let d): "duration('\(d)')"
    }
  }

  /// The value as plain text for messages and keys: strings without quotes.
  public var plainText: String {
    if case .string(let s) = self { return s }
    return description
  }
}
