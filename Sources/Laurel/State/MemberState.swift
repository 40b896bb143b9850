public import LaurelExpression

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

/// Everything the engine knows about one member. Arrays are indexed by the
/// declaration order of currencies, ladders, traits, counters and so on in
/// the compiled rules.
public struct MemberState: Sendable, Equatable, Codable {
  public var balances: InlineInts<Int64>
  /// 1-based rank per ladder; 0 when no tier is open to the member.
  public var tiers: InlineInts<Int32>
  public var traits: [String?]
  public var counters: [CounterState] = []
  public var progress: [[String: Int32]] = []
  public var streaks: [StreakState] = []
  public var badges: [EarnedBadge] = []
  /// Per bonus: the window index it was last paid in.
  public var bonusWindows: [Int64] = []
  public var capUsage: [CapUsage] = []
  /// Per rule with a cooldown: when it last fired (Unix seconds).
  public var cooldowns: [Int: Int64] = [:]

  public init(balances: InlineInts<Int64>, tiers: InlineInts<Int32>, traits: [String?]) {
    self.balances = balances
    self.tiers = tiers
    self.traits = traits
  }

  /// Whether the member holds `badge` (index) with `key`.
  public func hasBadge(_ badge: Int, key: String?) -> Bool {
    badges.contains { $0.badge == badge && $0.key == key }
  }
}

/// A counter's value: a total or per-key counts, reset each window when windowed.
public struct CounterState: Sendable, Equatable, Codable {
  public var window: Int64 = .min
  public var total: Int64 = 0
  public var byKey: [String: Int64] = [:]
  public init() {}
}

/// The current run of consecutive windows with activity.
public struct StreakState: Sendable, Equatable, Codable {
  public var lastWindow: Int64 = .min
  public var length: Int64 = 0
  public var longest: Int64 = 0
  public init() {}
}

/// A badge a member earned.
public struct EarnedBadge: Sendable, Equatable, Codable {
  public var badge: Int
  public var key: String?
  public var at: Timestamp
  public init(badge: Int, key: String?, at: Timestamp) {
    self.badge = badge
    self.key = key
    self.at = at
  }
}

/// How much of a cap a member used in its current window.
public struct CapUsage: Sendable, Equatable, Codable {
  public var window: Int64 = .min
  public var used: Int64 = 0
  public init(window: Int64 = .min, used: Int64 = 0) {
    self.window = window
    self.used = used
  }
}
