import LaurelExpression

/// A scheme compiled for evaluation: immutable and `Sendable`, built once by
/// ``RuleCompiler`` and shared by every engine, thread and simulation.
///
/// Names are resolved to indices, expressions to compiled programs, and action
/// types to a dispatch table, so evaluating an action does no name lookups
/// beyond finding its type.
public struct CompiledRules: Sendable {
  public let scheme: String
  let scope: Program?
  /// The string field the scope is (`event.community`), read without evaluating.
  let scopeField: Int?
  let timeZone: TimeZoneRule
  let fields: [CompiledField]
  let fieldIndex: [String: Int]
  let slots: BuiltinSlots
  let traits: [CompiledTrait]
  let traitIndex: [String: Int]
  let currencies: [CompiledCurrency]
  let counters: [CompiledCounter]
  /// Things actions are about whose counters they keep themselves (`post: event.post`).
  let objects: [CompiledObject]
  let progress: [CompiledProgress]
  let streaks: [CompiledStreak]
  let actionIndex: [String: Int]
  let actions: [CompiledAction]
  let bonuses: [CompiledBonus]
  let caps: [CompiledCap]
  let ladders: [CompiledLadder]
  let badges: [CompiledBadge]
  let gates: [GateDeclaration]
  let leaderboards: [LeaderboardDeclaration]
  let slotCount: Int
  /// Dependency bits a change of each kind sets (see ``Dependencies``).
  let dependencies: Dependencies
  /// Whether anything counts in calendar windows (bonuses, caps, windowed counters, streaks).
  let usesWindows: Bool
  /// Whether any expression reads event.id, event.type, event.user or event.at.
  let bindsBuiltins: Bool

  /// Ids of every rule in global order, then the bonus names: what ledger
  /// entries name as their `rule`.
  public let ruleNames: [String]
  /// How many rules the scheme declares (bonuses not included): the rule index of the first bonus.
  let ruleCount: Int

  /// Names of the currencies, in declaration order.
  /// Whether members are scoped (`members: scope:`): one member per scope and user.
  public var isScoped: Bool { scope != nil }
  public var currencyNames: [String] { currencies.map(\.name) }
  /// Names of the ladders, in declaration order.
  public var ladderNames: [String] { ladders.map(\.name) }
  /// The names of a ladder's tiers, lowest first; nil for an unknown ladder.
  public func tierNames(of ladder: String) -> [String]? { ladders.first { $0.name == ladder }?.tiers.map(\.name) }
  /// Action types some rule handles.
  public var actionTypes: [String] { actions.map(\.type) }

  /// The state a member starts with.
  public func initialState() -> MemberState {
    var state = MemberState(
      balances: InlineInts(currencies.map(\.start)), tiers: InlineInts(repeating: 0, count: ladders.count),
      traits: traits.map(\.defaultValue))
    if !counters.isEmpty { state.counters = Array(repeating: CounterState(), count: counters.count) }
    if !progress.isEmpty { state.progress = Array(repeating: [:], count: progress.count) }
    if !streaks.isEmpty { state.streaks = Array(repeating: StreakState(), count: streaks.count) }
    if !bonuses.isEmpty { state.bonusWindows = Array(repeating: .min, count: bonuses.count) }
    if !caps.isEmpty { state.capUsage = CapUsages(repeating: CapUsage(), count: caps.count) }
    for l in ladders.indices { state.tiers[l] = Int32(ladders[l].rank(for: state, tiers: ladders[l].tiers)) }
    return state
  }
}

struct BuiltinSlots {
  var id = 0
  var type = 0
  var user = 0
  var at = 0
  var key = 0
}

struct CompiledField {
  var name: String
  var type: ExprType
  var slot: Int
}

struct CompiledTrait {
  var name: String
  var values: Set<String>
  var defaultValue: String?
}

struct CompiledCurrency {
  var name: String
  var start: Int64
  var floor: Int64?
  /// Counters that track this currency (every applied amount).
  var trackingCounters: [Int]
  /// Counters that add up its earnings (applied awards only).
  var earningCounters: [Int] = []
}

struct CompiledCounter {
  var name: String
  var key: Program?
  var window: TimeWindow?
  /// The object that keeps it (index into ``CompiledRules/objects``); nil for a member's counter.
  var object: Int?
}

/// An object (`post: event.post`): its key, and the string field it is when
/// it is one, read without evaluating.
struct CompiledObject {
  var name: String
  var key: Program
  /// The key as written (`event.post`), for error messages.
  var keyText: String
  var keyField: Int?
}

struct CompiledProgress {
  var name: String
  var key: Program
  var states: [String]
}

struct CompiledStreak {
  var name: String
  var every: TimeWindow
  var everyAction: Bool
}

final class CompiledAction: Sendable {
  let type: String
  let rules: [CompiledRule]
  let bonuses: [Int]
  let streaks: [Int]
  /// Field indices the engine binds for this action type: those its rules,
  /// the scope, counter and progress keys and badges can read.
  let boundFields: [Int]
  /// The rules in a form applied without evaluation, when they all allow it.
  let direct: DirectPlan?
  /// Objects whose state this action type reads or counts (its rules', and
  /// every badge's): loaded before its rules are planned.
  let objects: [Int]

  init(
    type: String, rules: [CompiledRule], bonuses: [Int], streaks: [Int], boundFields: [Int] = [],
    direct: DirectPlan? = nil, objects: [Int] = []
  ) {
    self.type = type
    self.rules = rules
    self.bonuses = bonuses
    self.streaks = streaks
    self.boundFields = boundFields
    self.direct = direct
    self.objects = objects
  }

  func adding(bonus: Int? = nil, streak: Int? = nil) -> CompiledAction {
    CompiledAction(
      type: type, rules: rules, bonuses: bonuses + (bonus.map { [$0] } ?? []),
      streaks: streaks + (streak.map { [$0] } ?? []), boundFields: boundFields)
  }

  /// The action, finished: with the fields it binds, the objects it loads,
  /// and its direct form when its rules allow one.
  func finished(binding fields: [Int], objects: [Int], scheme: DirectPlan.Scheme) -> CompiledAction {
    CompiledAction(
      type: type, rules: rules, bonuses: bonuses, streaks: streaks, boundFields: fields,
      direct: DirectPlan(rules: rules, bonuses: bonuses, streaks: streaks, objects: objects, scheme: scheme),
      objects: objects)
  }
}

/// One compiled rule; a class so the engine's hot path shares it rather than copying its fields.
final class CompiledRule: Sendable {
  let id: String
  let when: Program?
  let amounts: [(currency: Int, amount: Program)]
  /// Per amount: -1 for deductions, 1 for awards.
  let signs: [Int64]
  let recipient: Program?
  /// The string field `recipient` is, when it is one (`event.author`): read without evaluating.
  let recipientField: Int?
  let oncePer: Program?
  /// The string field `oncePer` is, when it is one (`event.lesson`).
  let onceField: Int?
  let cooldownSeconds: Int64?
  let counts: [(counter: Int, amount: Program?)]
  let progress: [(progress: Int, state: Int32)]
  let from: Timestamp?
  let until: Timestamp?
  /// Caps limiting this rule, per currency position in `amounts`.
  let caps: [[Int]]
  /// Index among all rules (for once-per keys and cooldowns).
  let globalIndex: Int
  /// Whether planning needs the recipient's state (conditions or amounts read `member.*`).
  let readsMember: Bool
  /// Whether `when` reads the action only (no `member.*`): it is then decided before `to`.
  let whenReadsOnlyAction: Bool
  /// Such a `when`, decided from the action's fields without evaluating, when it allows that.
  let actionCondition: ActionCondition?
  /// Whether applying the rule changes or touches a member: false for a rule
  /// without `to` that only counts into objects (a vote moving a post's score).
  let touchesMember: Bool

  init(
    id: String, when: Program?, amounts: [(currency: Int, amount: Program)], signs: [Int64], recipient: Program?,
    oncePer: Program?, cooldownSeconds: Int64?, counts: [(counter: Int, amount: Program?)],
    progress: [(progress: Int, state: Int32)], from: Timestamp?, until: Timestamp?, caps: [[Int]], globalIndex: Int,
    stringField: (Program?) -> Int? = { _ in nil }, field: (String) -> Int? = { _ in nil },
    objectCounters: Set<Int> = []
  ) {
    touchesMember =
      recipient != nil || !amounts.isEmpty || !progress.isEmpty || oncePer != nil || cooldownSeconds != nil
      || counts.contains { !objectCounters.contains($0.counter) }
    recipientField = stringField(recipient)
    whenReadsOnlyAction = when.map { $0.references.allSatisfy { $0.hasPrefix("event.") } } ?? false
    actionCondition =
      whenReadsOnlyAction ? when?.predicate.flatMap { ActionCondition($0, field: field) } : nil
    onceField = stringField(oncePer)
    self.id = id
    self.when = when
    self.amounts = amounts
    self.signs = signs
    self.recipient = recipient
    self.oncePer = oncePer
    self.cooldownSeconds = cooldownSeconds
    self.counts = counts
    self.progress = progress
    self.from = from
    self.until = until
    self.caps = caps
    self.globalIndex = globalIndex
    readsMember =
      (when.map { !$0.references.isEmpty } ?? false) || amounts.contains { $0.amount.constant == nil }
      || counts.contains { $0.amount != nil }
  }
}

struct CompiledBonus {
  var name: String
  var every: TimeWindow
  var amounts: [(currency: Int, amount: Int64)]
  var caps: [[Int]]
}

struct CompiledCap {
  var name: String
  var currency: Int
  var max: Int64
  var per: TimeWindow
  /// Deductions free up room (see ``CapDeclaration/net``).
  var net = false
}

struct CompiledTier {
  var name: String
  var threshold: Int64
  /// Allowed segment values; nil = everyone.
  var access: Set<String>?
  var attributes: [(key: String, value: String)]
}

struct CompiledLadder {
  var name: String
  var currency: Int
  var policy: TierPolicy
  var segmentTrait: Int?
  var overridable: Bool
  var tiers: [CompiledTier]

  /// The 1-based rank the member qualifies for now (0 when no tier is open to them).
  func rank(for state: MemberState, tiers: [CompiledTier]) -> Int {
    rank(for: state, thresholds: tiers.lazy.map(\.threshold))
  }

  /// The rank under other thresholds than the declared ones (a scope's
  /// override), one per tier; tiers keep their declared `access`.
  func rank<C: Collection<Int64>>(for state: MemberState, thresholds: C) -> Int {
    let balance = state.balances[currency]
    let segment = segmentTrait.flatMap { state.traits[$0] }
    var rank = 0
    for (i, threshold) in thresholds.enumerated() {
      if threshold > balance { break }
      if i < tiers.count, let access = tiers[i].access, !(segment.map(access.contains) ?? false) { continue }
      rank = i + 1
    }
    return rank
  }
}

struct CompiledBadge {
  var name: String
  var title: String
  /// What it is awarded for (`description:` in YAML).
  var summary: String?
  var key: Program?
  /// The string field `key` is, when it is one.
  var keyField: Int?
  var when: Program?
  /// Who may earn it (`to: event.owner`); nil: any member the action touches.
  var to: Program?
  /// The string field `to` is, when it is one.
  var toField: Int?
  var manual: Bool
  /// Dependency bits whose change makes this badge worth re-checking.
  var dependsOn: UInt64
}

/// Bit positions for "what changed" tracking: a member's dirty mask is
/// compared with each tier ladder's and badge's mask.
struct Dependencies {
  var currency: [UInt64]
  var counter: [UInt64]
  var trait: [UInt64]
  var progress: [UInt64]
  var streak: [UInt64]
  var ladder: [UInt64]
  var badges: UInt64
  /// Set for every touched member: badges that read only the action re-check on any touch.
  static let touched: UInt64 = 1
}
