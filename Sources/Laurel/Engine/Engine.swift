import Synchronization

/// Applies actions to a store under compiled rules. The entry point for host apps.
///
/// ```swift
/// let rules = try RuleLoader().load(paths: ["rules/community-points.yaml"])
/// let engine = Engine(rules: rules, store: InMemoryStore())
/// let outcome = try await engine.apply(action)
/// for event in outcome.memberEvents { publish(event) }
/// let ann = try await engine.profile(of: MemberID(scope: "c1", user: "ann"))
/// ```
///
/// Every action is applied atomically; an action id seen before is a duplicate
/// and changes nothing; a malformed action is rejected with a typed
/// ``ActionError`` and changes nothing.
public struct Engine<S: Store>: Sendable {
  public let rules: CompiledRules
  public let store: S
  /// Whether admin changes (tier recalculations, badge grants) append the
  /// member events they cause to an ``AdminStore``'s outbox, in their own
  /// transaction (see ``OutboxEvent``); actions are published through
  /// `applyPublishing(_:)`. Off by default: nobody reads the outbox of a
  /// store that no server delivers from.
  public var publishesEvents = false
  private let decoder: ActionDecoder
  private let evaluators: EvaluatorPool
  private let layout: StateLayout

  public init(rules: CompiledRules, store: S) {
    self.rules = rules
    layout = rules.stateLayout
    self.store = store
    var decoder = ActionDecoder(rules: rules)
    decoder.keepsSource = true
    self.decoder = decoder
    evaluators = EvaluatorPool(rules: rules)
  }

  /// Applies one action in its own transaction.
  public func apply(_ action: Action) async throws -> Outcome {
    let prepared: PreparedAction
    do { prepared = try rules.prepare(action) } catch { return Self.rejected(action.id, error) }
    return try await apply(prepared)
  }

  /// Applies one action given as JSON text (the action contract of DESIGN.md).
  public func apply(json: String) async throws -> Outcome {
    let prepared: PreparedAction
    do { prepared = try decoder.decode(json) } catch { return Self.rejected("", error) }
    return try await apply(prepared)
  }

  /// Applies an already prepared action.
  public func apply(_ action: PreparedAction) async throws -> Outcome {
    try await applyBatch([action])[0]
  }

  /// Applies many actions in one transaction (imports and replays): faster,
  /// and all-or-nothing should the store fail.
  public func applyBatch(_ actions: [PreparedAction]) async throws -> [Outcome] {
    try await applyBatch(actions) { _, _ in }
  }

  /// Applies many actions in one transaction, then runs `finish` inside the
  /// same transaction (to record bookkeeping that must commit with them).
  /// The store is told the batch's ``BatchFootprint`` first, so that it can
  /// read what the batch needs in one go.
  public func applyBatch(
    _ actions: [PreparedAction], finish: @escaping @Sendable (inout S.Transaction, [Outcome]) throws -> Void
  ) async throws -> [Outcome] {
    if let stored = store.stateLayout, stored != layout { throw RulesMismatch(stored: stored, rules: layout) }
    let footprint = store.wantsFootprint ? rules.footprint(of: actions) : .unknown
    return try await store.transaction(reading: footprint) { [self] tx in
      let outcomes = try run(actions, in: &tx)
      try finish(&tx, outcomes)
      return outcomes
    }
  }

  /// Runs actions through the rules against `tx`, recording each applied
  /// outcome in it; committing is the caller's part. Store adapters use it to
  /// plan a batch outside a store transaction (see LaurelSQLite's importer).
  package func run<T: StateTransaction>(_ actions: [PreparedAction], in tx: inout T) throws(T.Failure) -> [Outcome] {
    let evaluator = evaluators.take()
    var outcomes: [Outcome] = []
    outcomes.reserveCapacity(actions.count)
    for action in actions {
      var outcome = Outcome()
      // An evaluator interrupted by a store error may hold half an action's
      // scratch state: it is dropped, not given back.
      try evaluator.apply(action, to: &tx, outcome: &outcome)
      if outcome.status == .applied { try tx.record(outcome) }
      outcomes.append(outcome)
    }
    evaluators.give(evaluator)
    return outcomes
  }

  /// A member by name: balances, tiers, badges, counters, progress and
  /// streaks. A member the store has never seen reads as a new member starts.
  public func profile(of member: MemberID) async throws -> MemberProfile {
    let overrides = try await overrides(member.scope)
    guard let state = try await store.state(of: member) else {
      return try await addingRuntimeBadges(rules.newMemberProfile(member, overrides: overrides))
    }
    return try await addingRuntimeBadges(rules.profile(of: member, state: state, overrides: overrides))
  }

  /// The profiles of every member of `scope` (nil: a global scheme's), sorted by user.
  public func profiles(inScope scope: String?) async throws -> [MemberProfile] {
    let overrides = try await overrides(scope)
    return try await store.members(inScope: scope).map { rules.profile(of: $0.0, state: $0.1, overrides: overrides) }
  }

  /// The scope's tier overrides; none asked for when no ladder is overridable.
  func overrides(_ scope: String?) async throws -> TierOverrides {
    rules.ladders.contains(where: \.overridable) ? try await store.tierOverrides(scope: scope) : TierOverrides()
  }

  /// How many members of `scope` hold each tier of `ladder`, lowest tier
  /// first (every tier listed, zeros included), plus those who hold none
  /// (a gated ladder) under the name `nil`.
  public func levelDistribution(ladder: String, scope: String?) async throws -> [(tier: String?, members: Int)] {
    let definitions = try await levels(ladder: ladder, scope: scope)
    var result: [(tier: String?, members: Int)] = definitions.levels.map { ($0.name, $0.members) }
    let unranked = definitions.memberCount - definitions.levels.reduce(0) { $0 + $1.members }
    if unranked > 0 { result.insert((nil, unranked), at: 0) }
    return result
  }

  static func rejected(_ id: String, _ error: ActionError) -> Outcome {
    var outcome = Outcome()
    outcome.actionID = id
    outcome.status = .rejected(error)
    return outcome
  }
}

/// Evaluators kept between calls (building one costs more than applying an
/// action): each call takes one for its own use and gives it back.
final class EvaluatorPool: Sendable {
  private let rules: CompiledRules
  private let idle = Mutex<[Evaluator]>([])

  init(rules: CompiledRules) { self.rules = rules }

  func take() -> Evaluator {
    idle.withLock { $0.popLast() } ?? Evaluator(rules: rules)
  }

  func give(_ evaluator: Evaluator) {
    idle.withLock { if $0.count < 8 { $0.append(evaluator) } }
  }
}
