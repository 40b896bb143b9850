import Foundation
public import LaurelExpression

extension Timestamp {
  /// The current time, to the second.
  public static var now: Timestamp {
    // In range until the year 292 billion.
    (try? Timestamp(seconds: Int64(Date().timeIntervalSince1970)))!
  }
}

/// JSON for settings and audit entries: sorted keys, so equal values read alike.
enum SettingJSON {
  static func encode<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Settings are plain values (strings, numbers, arrays of them): encoding cannot fail.
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
  }

  static func decode<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
    guard let text else { return nil }
    return try? JSONDecoder().decode(type, from: Data(text.utf8))
  }
}

extension Engine {
  /// Refuses a scope where the scheme has none, or no scope where it has.
  func checkScope(_ scope: String?) throws(AdminError) {
    if rules.isScoped, scope == nil {
      throw AdminError(.scopeMismatch, "scheme '\(rules.scheme)' is scoped: give the scope (community)")
    }
    if !rules.isScoped, let scope {
      throw AdminError(.scopeMismatch, "scheme '\(rules.scheme)' has no scopes, got scope '\(scope)'")
    }
  }

  /// A free-text admin input: at most `limit` characters after trimming.
  static func text(_ value: String?, field: String, limit: Int, problems: inout [AdminError.Problem]) -> String? {
    guard let value else { return nil }
    let trimmed = TierValidation.sanitize(value)
    if trimmed.count > limit {
      problems.append(.init(field: field, message: "must be at most \(limit) characters, got \(trimmed.count)"))
    }
    return trimmed.isEmpty ? nil : trimmed
  }
}
