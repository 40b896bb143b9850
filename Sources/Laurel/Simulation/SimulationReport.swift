public import LaurelExpression

/// The final state of a run, in the shape of `laurel simulate`'s JSON report.
public struct SimulationReport: Sendable {
  public struct Tier: Sendable, Equatable {
    public var rank: Int
    public var name: String?
    public init(rank: Int, name: String?) {
      self.rank = rank
      self.name = name
    }
  }

  public struct Badge: Sendable, Equatable {
    public var badge: String
    public var key: String?
    public var at: Timestamp
  }

  /// One member's state with names instead of indices.
  public struct Member: Sendable, Equatable {
    public var id: MemberID
    public var balances: [(String, Int64)]
    public var tiers: [(String, Tier)]
    public var badges: [Badge]
    public var counters: [(String, CounterValue)]
    public var progress: [(String, [(String, String)])]
    public var streaks: [(String, Int64)]

    public static func == (a: Member, b: Member) -> Bool {
      a.id == b.id && a.balances.elementsEqual(b.balances, by: ==) && a.tiers.elementsEqual(b.tiers, by: ==)
        && a.badges == b.badges && a.counters.elementsEqual(b.counters, by: ==)
    }
  }

  public enum CounterValue: Sendable, Equatable {
    case total(Int64)
    case byKey([(String, Int64)])
    public static func == (a: CounterValue, b: CounterValue) -> Bool {
      switch (a, b) {
      case (.total(let x), .total(let y)): x == y
      case (.byKey(let x), .byKey(let y)): x.elementsEqual(y, by: ==)
      default: false
      }
    }
  }

  public var scheme: String
  public var scoped: Bool
  public var events: EventCounts
  public var notifications: NotificationCounts
  public var members: [Member]

  init(rules: CompiledRules, state: InMemoryState, events: EventCounts, notifications: NotificationCounts) {
    self.init(rules: rules, members: state.sortedMembers(), events: events, notifications: notifications)
  }

  /// A report of members read from any store (sorted by scope then user).
  public init(
    rules: CompiledRules, members: [(MemberID, MemberState)], events: EventCounts = EventCounts(),
    notifications: NotificationCounts = NotificationCounts()
  ) {
    scheme = rules.scheme
    scoped = rules.scope != nil
    self.events = events
    self.notifications = notifications
    self.members = members.map { Self.member($0.0, $0.1, rules) }
  }

  static func member(_ id: MemberID, _ s: MemberState, _ rules: CompiledRules) -> Member {
    Member(
      id: id,
      balances: zip(rules.currencies, s.balances).map { ($0.name, $1) },
      tiers: rules.ladders.enumerated().map { l, ladder in
        let rank = Int(s.tiers[l])
        return (ladder.name, Tier(rank: rank, name: rank > 0 ? ladder.tiers[rank - 1].name : nil))
      },
      badges: s.badges.map { Badge(badge: rules.badges[$0.badge].name, key: $0.key, at: $0.at) },
      counters: rules.counters.enumerated().compactMap { c, counter in
        guard c < s.counters.count else { return nil }
        let value = s.counters[c]
        if counter.key == nil { return (counter.name, .total(value.total)) }
        return (counter.name, .byKey(value.byKey.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }))
      },
      progress: rules.progress.enumerated().compactMap { p, progress in
        guard p < s.progress.count else { return nil }
        return (
          progress.name, s.progress[p].sorted { $0.key < $1.key }.map { ($0.key, progress.states[Int($0.value)]) }
        )
      },
      streaks: rules.streaks.enumerated().compactMap { i, streak in
        i < s.streaks.count ? (streak.name, s.streaks[i].length) : nil
      })
  }
}
