/// How member states written under one set of rules become states of
/// another: every currency, ladder, trait, counter, progress, streak, badge,
/// bonus, cap and rule is matched **by name**, whatever its position.
///
/// - Added ones start where a new member starts (a new ladder is ranked
///   from the member's balance, as for a new member).
/// - Removed ones lose their stored state: a store applies such a change
///   only when asked to (``removals`` lists what would be lost).
/// - A rule whose id changed only because a second rule joined its action
///   (`lesson_completed` → `lesson_completed#1`) keeps its once-per keys.
/// - Rules of another scheme, or a switch between scoped and global members,
///   cannot be mapped at all: ``init(from:to:)`` throws.
///
/// ```swift
/// let migration = try StateMigration(from: storedLayout, to: newRules)
/// guard migration.removals.isEmpty || userAgreed else { throw … }
/// let state = migration.migrate(storedState)
/// ```
public struct StateMigration: Sendable {
  public let from: StateLayout
  public let to: StateLayout
  /// What the new rules no longer declare and stored state still has, as
  /// "currency 'karma'" phrases (bookkeeping of removed rules not included).
  public let removals: [String]
  /// What the new rules add, as "ladder 'level'" phrases.
  public let additions: [String]
  private let initial: MemberState
  private let newLadders: [(index: Int, rank: @Sendable (MemberState) -> Int32)]
  private let maps: Maps

  /// For each category, the new position of every old one (nil: removed).
  private struct Maps: Sendable {
    var currencies, ladders, traits, counters, progress, streaks, badges, bonuses, caps, rules: [Int?]
  }

  /// Why the stored state cannot be carried over to the new rules.
  public struct IncompatibleRules: Error, CustomStringConvertible, Equatable {
    public var description: String
  }

  /// - Throws: ``IncompatibleRules`` when the rules are another scheme or
  ///   scope their members differently.
  public init(from old: StateLayout, to rules: CompiledRules) throws(IncompatibleRules) {
    let new = rules.stateLayout
    guard old.scheme == new.scheme else {
      throw IncompatibleRules(
        description:
          "the store holds scheme '\(old.scheme)' and these rules are scheme '\(new.scheme)'; use another store for another scheme"
      )
    }
    guard old.scoped == new.scoped else {
      throw IncompatibleRules(
        description:
          "the store's members are \(old.scoped ? "scoped (per community)" : "global") and these rules' members are \(new.scoped ? "scoped" : "global"); members cannot be carried over"
      )
    }
    from = old
    to = new
    initial = rules.initialState()
    func positions(_ a: [String], _ b: [String]) -> [Int?] {
      let index = Dictionary(b.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
      return a.map { index[$0] }
    }
    maps = Maps(
      currencies: positions(old.currencies, new.currencies), ladders: positions(old.ladders, new.ladders),
      traits: positions(old.traits, new.traits), counters: positions(old.counters, new.counters),
      progress: positions(old.progress, new.progress), streaks: positions(old.streaks, new.streaks),
      badges: positions(old.badges, new.badges), bonuses: positions(old.bonuses, new.bonuses),
      caps: positions(old.caps, new.caps), rules: Self.rulePositions(old.rules, new.rules))
    var removals: [String] = []
    var additions: [String] = []
    for (kind, a, b) in [
      ("currency", old.currencies, new.currencies), ("ladder", old.ladders, new.ladders),
      ("trait", old.traits, new.traits), ("counter", old.counters, new.counters),
      ("progress", old.progress, new.progress), ("streak", old.streaks, new.streaks),
      ("badge", old.badges, new.badges),
    ] {
      removals += a.filter { !b.contains($0) }.map { "\(kind) '\($0)'" }
      additions += b.filter { !a.contains($0) }.map { "\(kind) '\($0)'" }
    }
    self.removals = removals
    self.additions = additions
    let added = Set(new.ladders.filter { !old.ladders.contains($0) })
    newLadders = rules.ladders.indices.filter { added.contains(rules.ladders[$0].name) }.map { index in
      let ladder = rules.ladders[index]
      return (index, { state in Int32(ladder.rank(for: state, tiers: ladder.tiers)) })
    }
  }

  /// Old rule positions in new ones by id, where `type` and `type#1` name the same rule.
  private static func rulePositions(_ old: [String], _ new: [String]) -> [Int?] {
    func canonical(_ id: String) -> String { id.hasSuffix("#1") ? String(id.dropLast(2)) : id }
    var index: [String: Int] = [:]
    for (i, id) in new.enumerated() { index[id] = index[id] ?? i }
    var canonicalIndex: [String: Int] = [:]
    for (i, id) in new.enumerated() { canonicalIndex[canonical(id)] = canonicalIndex[canonical(id)] ?? i }
    return old.map { index[$0] ?? canonicalIndex[canonical($0)] }
  }

  /// Whether states need no change at all.
  public var isIdentity: Bool { from == to }  // scheme and scoping are equal by construction

  /// The new position of an old rule (once-per keys and cooldowns follow it), nil when it is gone.
  public func newRule(_ old: Int) -> Int? { old >= 0 && old < maps.rules.count ? maps.rules[old] : nil }

  /// A state written under the old rules, as the new rules lay it out.
  ///
  /// - Throws: ``IncompatibleRules`` when `state` does not have the old layout's shape.
  public func migrate(_ state: MemberState) throws(IncompatibleRules) -> MemberState {
    guard from.admits(state) else {
      throw IncompatibleRules(description: "a stored member state does not match the rules it was written under")
    }
    var out = initial
    func carry<C: MutableCollection<T> & RandomAccessCollection, T>(_ old: C, _ map: [Int?], into new: inout C)
    where C.Index == Int {
      for (i, value) in old.enumerated() { if let j = map[i] { new[j] = value } }
    }
    for (i, balance) in state.balances.enumerated() { if let j = maps.currencies[i] { out.balances[j] = balance } }
    for (i, rank) in state.tiers.enumerated() { if let j = maps.ladders[i] { out.tiers[j] = rank } }
    carry(state.traits, maps.traits, into: &out.traits)
    carry(state.counters, maps.counters, into: &out.counters)
    carry(state.progress, maps.progress, into: &out.progress)
    carry(state.streaks, maps.streaks, into: &out.streaks)
    carry(state.bonusWindows, maps.bonuses, into: &out.bonusWindows)
    carry(state.capUsage, maps.caps, into: &out.capUsage)
    out.badges = state.badges.compactMap { earned in
      maps.badges[earned.badge].map { EarnedBadge(badge: $0, key: earned.key, at: earned.at) }
    }
    out.cooldowns = Dictionary(
      state.cooldowns.compactMap { rule, at in newRule(rule).map { ($0, at) } }, uniquingKeysWith: max)
    for (index, rank) in newLadders { out.tiers[index] = rank(out) }
    return out
  }
}
