/// What each position of a ``MemberState`` means under one set of rules:
/// the names of the currencies, ladders, traits, counters and so on, in the
/// order the state's arrays use. A store records it with the rules it was
/// written under, so that a later rule change can map stored state by name
/// (see ``StateMigration``) instead of reading it by position.
public struct StateLayout: Sendable, Equatable, Codable {
  public var scheme: String
  /// Whether members are (scope, user) rather than global users.
  public var scoped: Bool
  public var currencies: [String]
  public var ladders: [String]
  public var traits: [String]
  public var counters: [String]
  public var progress: [String]
  public var streaks: [String]
  public var badges: [String]
  public var bonuses: [String]
  public var caps: [String]
  /// Rule ids in global order: what once-per keys and cooldowns are kept by.
  public var rules: [String]

  /// Whether `state` has exactly the shape this layout describes (a state
  /// of another shape would be read at the wrong positions).
  public func admits(_ state: MemberState) -> Bool {
    state.balances.count == currencies.count && state.tiers.count == ladders.count
      && state.traits.count == traits.count && state.counters.count == counters.count
      && state.progress.count == progress.count && state.streaks.count == streaks.count
      && state.bonusWindows.count == bonuses.count && state.capUsage.count == caps.count
      && state.badges.allSatisfy { $0.badge >= 0 && $0.badge < badges.count }
  }
}

extension CompiledRules {
  /// The layout of the member states these rules read and write.
  public var stateLayout: StateLayout {
    StateLayout(
      scheme: scheme, scoped: scope != nil, currencies: currencies.map(\.name), ladders: ladders.map(\.name),
      traits: traits.map(\.name), counters: counters.map(\.name), progress: progress.map(\.name),
      streaks: streaks.map(\.name), badges: badges.map(\.name), bonuses: bonuses.map(\.name), caps: caps.map(\.name),
      rules: Array(ruleNames.prefix(ruleCount)))
  }
}
