package import LaurelExpression

/// Who a member is: a user, within a scope (a community) or globally.
public struct MemberID: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
  /// nil for a global scheme.
  public var scope: String?
  public var user: String

  public init(scope: String?, user: String) {
    self.scope = scope
    self.user = user
  }

  /// Sorted by scope then user, in byte order (the report order).
  public static func < (a: MemberID, b: MemberID) -> Bool {
    let sa = a.scope ?? ""
    let sb = b.scope ?? ""
    if sa != sb { return sa.utf8.lexicographicallyPrecedes(sb.utf8) }
    return a.user.utf8.lexicographicallyPrecedes(b.user.utf8)
  }

  public var description: String { scope.map { "\($0)/\(user)" } ?? user }
}

/// Everything the engine knows about one member, in the engine's compact
/// form: arrays indexed by the declaration order of currencies, ladders,
/// traits, counters and so on in the compiled rules. Opaque to hosts, which
/// read members by name (``MemberProfile``, ``CompiledRules/profile(of:state:overrides:)``);
/// a store keeps it as bytes (its binary form, for store adapters).
public struct MemberState: Sendable, Equatable, Codable {
  package var balances: InlineInts<Int64>
  /// 1-based rank per ladder; 0 when no tier is open to the member.
  package var tiers: InlineInts<Int32>
  // What most actions read comes first, within the first 144 bytes (the
  // replay prefetches a state's lines; Swift lays fields out in this order).
  package var counters: [CounterState] = []
  package var badges: [EarnedBadge] = []
  package var capUsage = CapUsages()
  package var traits: [String?]
  package var progress: [[String: Int32]] = []
  package var streaks: [StreakState] = []
  /// Per bonus: the window index it was last paid in.
  package var bonusWindows: [Int64] = []
  /// Per rule with a cooldown: when it last fired (Unix seconds).
  package var cooldowns: [Int: Int64] = [:]

  package init(balances: InlineInts<Int64>, tiers: InlineInts<Int32>, traits: [String?]) {
    self.balances = balances
    self.tiers = tiers
    self.traits = traits
  }

  /// Whether the member holds `badge` (index) with `key`.
  package func hasBadge(_ badge: Int, key: String?) -> Bool {
    badges.contains { $0.badge == badge && $0.key == key }
  }
}

/// A counter's value: a total or per-key counts, reset each window when windowed.
package struct CounterState: Sendable, Equatable, Codable {
  package var window: Int64 = .min
  package var total: Int64 = 0
  package var byKey: [String: Int64] = [:]
  package init() {}
}

/// The current run of consecutive windows with activity.
package struct StreakState: Sendable, Equatable, Codable {
  package var lastWindow: Int64 = .min
  package var length: Int64 = 0
  package var longest: Int64 = 0
  package init() {}
}

/// A badge a member earned.
package struct EarnedBadge: Sendable, Equatable, Codable {
  package var badge: Int
  package var key: String?
  package var at: Timestamp
  package init(badge: Int, key: String?, at: Timestamp) {
    self.badge = badge
    self.key = key
    self.at = at
  }
}

/// How much of a cap a member used in its current window.
package struct CapUsage: Sendable, Equatable, Codable {
  package var window: Int64 = .min
  package var used: Int64 = 0
  package init(window: Int64 = .min, used: Int64 = 0) {
    self.window = window
    self.used = used
  }
}
