public import LaurelExpression

/// One member as a host reads it: every balance, tier, badge, counter,
/// progress map and streak by the name the rules give it, in the order the
/// rules declare them.
///
/// ```swift
/// let profile = try await engine.profile(of: MemberID(scope: "c1", user: "u1"))
/// profile.balance("points")        // 42
/// profile.tier("level")?.name      // "Builder"
/// profile.badges.map(\.title)      // ["Expert in Swift"]
/// ```
///
/// A member the store has never seen reads as a new member would start.
public struct MemberProfile: Sendable, Equatable {
  public var member: MemberID
  public var balances: [Balance]
  public var tiers: [Tier]
  public var badges: [Badge]
  public var counters: [Counter]
  public var progress: [Progress]
  public var streaks: [Streak]
  public var traits: [Trait]
  /// The times of the earliest and the latest action that applied an amount
  /// to the member (from the store's ledger: ``Engine/profile(of:)`` on an
  /// ``AdminStore`` fills them); nil when none did or nobody read them.
  public var firstActivity: Timestamp?
  public var lastActivity: Timestamp?

  /// A currency's balance.
  public struct Balance: Sendable, Equatable {
    public var currency: String
    public var amount: Int64
  }

  /// Where a member stands on a ladder.
  public struct Tier: Sendable, Equatable {
    public var ladder: String
    /// 1-based rank; 0 when no tier of the ladder is open to the member.
    public var rank: Int
    /// The tier's name (the scope's own, when it overrides the ladder); nil at rank 0.
    public var name: String?
    /// The balance the tier starts at; nil at rank 0.
    public var threshold: Int64?
    /// The next tier's threshold, if there is a next tier.
    public var nextThreshold: Int64?
    /// What the ladder's currency must still gain to reach the next tier
    /// (0 when the balance is there already); nil at the top.
    public var pointsToNext: Int64?
    /// Whether the member holds the ladder's top tier.
    public var isMax: Bool
    /// The tier's free-form attributes (`animation_url`, …).
    public var attributes: [String: String]
  }

  /// A badge the member earned.
  public struct Badge: Sendable, Equatable {
    /// The badge's name in the rules.
    public var badge: String
    /// Its title for people (the name when the rules give none).
    public var title: String
    /// What it is awarded for (`description:`), if the rules say.
    public var description: String?
    /// The key of a per-key badge (`module-7`); nil for a badge earned once.
    public var key: String?
    public var earnedAt: Timestamp
  }

  /// A counter: its total, and per-key counts for a keyed counter.
  public struct Counter: Sendable, Equatable {
    public var name: String
    public var total: Int64
    /// Per key, sorted by key (empty for a counter without a key).
    public var byKey: [KeyedCount]
    /// Whether the counter is counted per key.
    public var isKeyed: Bool
    /// For a counter reset every day, week or month: the window its values
    /// count ("day 2026-03-02", "week of 2026-02-23", "month 2026-03"), which may be a past one — the counter
    /// reads 0 in rules from the next window on. Nil for a counter that is
    /// never reset, or a windowed one never counted.
    public var window: String?
  }

  /// One key's count in a keyed counter.
  public struct KeyedCount: Sendable, Equatable {
    public var key: String
    public var count: Int64
  }

  /// A progress map: each key's state (lesson → "completed").
  public struct Progress: Sendable, Equatable {
    public var name: String
    /// Sorted by key.
    public var items: [Item]

    public struct Item: Sendable, Equatable {
      public var key: String
      public var state: String
    }
  }

  /// A streak of consecutive windows with activity.
  public struct Streak: Sendable, Equatable {
    public var name: String
    public var current: Int64
    public var longest: Int64
  }

  /// A trait (a segment such as the member's plan); nil when unset.
  public struct Trait: Sendable, Equatable {
    public var name: String
    public var value: String?
  }

  /// The balance of `currency`, or nil when the rules declare no such currency.
  public func balance(_ currency: String) -> Int64? {
    balances.first { $0.currency == currency }?.amount
  }

  /// The member's standing on `ladder`, or nil when the rules declare no such ladder.
  public func tier(_ ladder: String) -> Tier? {
    tiers.first { $0.ladder == ladder }
  }

  /// The counter named `name`, or nil.
  public func counter(_ name: String) -> Counter? {
    counters.first { $0.name == name }
  }

  /// The streak named `name`, or nil.
  public func streak(_ name: String) -> Streak? {
    streaks.first { $0.name == name }
  }

  /// The state of `key` in progress map `name`, or nil.
  public func progress(_ name: String, key: String) -> String? {
    progress.first { $0.name == name }?.items.first { $0.key == key }?.state
  }

  /// Whether the member holds `badge` (with `key`, for a per-key badge).
  public func hasBadge(_ badge: String, key: String? = nil) -> Bool {
    badges.contains { $0.badge == badge && $0.key == key }
  }
}

extension CompiledRules {
  /// `state` read by name under these rules, with the tier names and
  /// thresholds of `overrides` (the member's scope's) where it sets some.
  public func profile(
    of member: MemberID, state: MemberState, overrides: TierOverrides = TierOverrides()
  )
    -> MemberProfile
  {
    MemberProfile(
      member: member,
      balances: currencies.indices.map { c in
        .init(currency: currencies[c].name, amount: c < state.balances.count ? state.balances[c] : currencies[c].start)
      },
      tiers: ladders.indices.map { l in
        let ladder = ladders[l]
        let custom = ladder.overridable ? overrides[ladder.name] : nil
        let settings = custom ?? ladder.tiers.map { TierSetting(name: $0.name, threshold: $0.threshold) }
        let rank = l < state.tiers.count ? Int(state.tiers[l]) : 0
        let tier = rank > 0 && rank <= settings.count ? settings[rank - 1] : nil
        let attributes = rank > 0 && rank <= ladder.tiers.count ? ladder.tiers[rank - 1].attributes : []
        let next = rank >= 0 && rank < settings.count ? settings[rank].threshold : nil
        let balance = ladder.currency < state.balances.count ? state.balances[ladder.currency] : 0
        return .init(
          ladder: ladder.name, rank: tier == nil ? 0 : rank, name: tier?.name, threshold: tier?.threshold,
          nextThreshold: next, pointsToNext: next.map { max(0, $0 &- balance) },
          isMax: rank == ladder.tiers.count && !ladder.tiers.isEmpty,
          attributes: Dictionary(attributes, uniquingKeysWith: { _, last in last }))
      },
      badges: state.badges.compactMap { earned in
        guard earned.badge >= 0 && earned.badge < badges.count else { return nil }
        let badge = badges[earned.badge]
        return .init(
          badge: badge.name, title: badge.title, description: badge.summary, key: earned.key, earnedAt: earned.at)
      },
      counters: counterProfiles(state, kept: nil),
      progress: progress.indices.compactMap { p in
        guard p < state.progress.count else { return nil }
        let states = progress[p].states
        return .init(
          name: progress[p].name,
          items: state.progress[p].sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.compactMap {
            Int($0.value) < states.count ? .init(key: $0.key, state: states[Int($0.value)]) : nil
          })
      },
      streaks: streaks.indices.compactMap { i in
        i < state.streaks.count
          ? .init(name: streaks[i].name, current: state.streaks[i].length, longest: state.streaks[i].longest) : nil
      },
      traits: traits.indices.map { t in
        .init(name: traits[t].name, value: t < state.traits.count ? state.traits[t] : nil)
      }
    )
  }

  /// The profile of a member the store has never seen: as a new member starts.
  public func newMemberProfile(_ member: MemberID, overrides: TierOverrides = TierOverrides()) -> MemberProfile {
    profile(of: member, state: initialState(), overrides: overrides)
  }
}
