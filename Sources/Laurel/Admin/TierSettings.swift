/// One tier as an admin sets it for a scope: its name and threshold.
public struct TierSetting: Sendable, Hashable, Codable {
  public var name: String
  public var threshold: Int64

  public init(name: String, threshold: Int64) {
    self.name = name
    self.threshold = threshold
  }
}

/// The ladders a scope has overridden (seed 004's per-community levels), by
/// ladder name; a ladder not listed keeps the tiers of the rules.
public struct TierOverrides: Sendable, Equatable {
  public var ladders: [String: [TierSetting]]

  public init(_ ladders: [String: [TierSetting]] = [:]) { self.ladders = ladders }

  public var isEmpty: Bool { ladders.isEmpty }

  /// The overridden tiers of `ladder`, or nil.
  public subscript(ladder: String) -> [TierSetting]? { ladders[ladder] }
}

extension TierOverrides {
  /// The overrides of every scope, from stored `tiers` settings (a ladder's
  /// tiers as JSON); a value that does not decode is skipped.
  package static func byScope(
    _ settings: some Sequence<(scope: String?, ladder: String, value: String)>
  ) -> [String?: TierOverrides] {
    var result: [String?: TierOverrides] = [:]
    for (scope, ladder, value) in settings {
      guard let tiers = SettingJSON.decode([TierSetting].self, value) else { continue }
      result[scope, default: TierOverrides()].ladders[ladder] = tiers
    }
    return result
  }
}

/// Checks and cleans the tiers an admin submits for a ladder (seed 004's
/// `UpdateLevelConfigCommand`): names trimmed, HTML tags stripped, 1–30
/// characters, unique ignoring case; as many tiers as the rules declare;
/// the first threshold 0; thresholds strictly increasing and not negative.
/// Every problem is reported, each with the field it concerns (`tiers[3].name`).
enum TierValidation {
  static let longestName = 30

  static func check(_ tiers: [TierSetting], declared count: Int) -> Result<[TierSetting], AdminError> {
    var problems: [AdminError.Problem] = []
    if tiers.count != count {
      problems.append(.init(field: "tiers", message: "must list exactly \(count) tiers, got \(tiers.count)"))
    }
    var cleaned: [TierSetting] = []
    var seen: [String: Int] = [:]
    for (i, tier) in tiers.enumerated() {
      let name = sanitize(tier.name)
      let length = name.count
      if length == 0 {
        problems.append(.init(field: "tiers[\(i)].name", message: "must not be empty (after removing HTML tags)"))
      } else if length > longestName {
        problems.append(
          .init(field: "tiers[\(i)].name", message: "must be at most \(longestName) characters, got \(length)"))
      } else if let first = seen[name.lowercased()] {
        problems.append(
          .init(
            field: "tiers[\(i)].name",
            message: "'\(name)' is already the name of tiers[\(first)] (names are unique, ignoring case)"))
      } else {
        seen[name.lowercased()] = i
      }
      if i == 0, tier.threshold != 0 {
        problems.append(
          .init(field: "tiers[0].threshold", message: "the first tier starts at 0, got \(tier.threshold)"))
      } else if tier.threshold < 0 {
        problems.append(.init(field: "tiers[\(i)].threshold", message: "must not be negative, got \(tier.threshold)"))
      } else if i > 0, tier.threshold <= tiers[i - 1].threshold {
        problems.append(
          .init(
            field: "tiers[\(i)].threshold",
            message: "must be greater than tiers[\(i - 1)].threshold (\(tiers[i - 1].threshold)), got \(tier.threshold)"
          ))
      }
      cleaned.append(TierSetting(name: name, threshold: tier.threshold))
    }
    guard problems.isEmpty else {
      return .failure(
        AdminError(.validation, "the tiers are not valid: \(problems.count) problem(s)", problems: problems))
    }
    return .success(cleaned)
  }

  /// The name without HTML tags (`<b>`, `<script …>`) and control
  /// characters, whitespace trimmed: what is stored and shown.
  static func sanitize(_ name: String) -> String {
    var out = ""
    var inTag = false
    var scalars = name.unicodeScalars.makeIterator()
    while let c = scalars.next() {
      if inTag {
        if c == ">" { inTag = false }
      } else if c == "<" {
        inTag = true
      } else if c.properties.generalCategory == .control {
        out.unicodeScalars.append(" ")
      } else {
        out.unicodeScalars.append(c)
      }
    }
    return out.trimmingWhitespace()
  }
}

extension String {
  /// Without leading and trailing white space (Unicode's definition).
  func trimmingWhitespace() -> String {
    let scalars = unicodeScalars
    guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
    let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
    return String(scalars[start...end])
  }
}
