import Synchronization

/// Applies actions to a store under compiled rules. The entry point for host apps.
///
/// ```swift
/// let rules = try RuleLoader().load(path: "rules/community-points.yaml")
/// let engine = Engine(rules: rules, store: InMemoryStore())
/// let outcome = try await engine.apply(action)
/// for notification in outcome.notifications { publish(notification) }
/// ```
///
/// Every action is applied atomically; an action id seen before is a duplicate
/// and changes nothing; a malformed action is rejected with a reason and
/// changes nothing.
public struct Engine<S: Store>: Sendable {
  public let rules: CompiledRules
  public let store: S
  private let decoder: ActionDecoder

  public init(rules: CompiledRules, store: S) {
    self.rules = rules
    self.store = store
    decoder = ActionDecoder(rules: rules)
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
  public func applyBatch(
    _ actions: [PreparedAction], finish: (inout S.Transaction, [Outcome]) throws -> Void
  ) async throws -> [Outcome] {
    let rules = self.rules
    return try await store.transaction { tx in
      let evaluator = Evaluator(rules: rules)
      var outcomes: [Outcome] = []
      outcomes.reserveCapacity(actions.count)
      for action in actions {
        var outcome = Outcome()
        try evaluator.apply(action, to: &tx, outcome: &outcome)
        if outcome.status == .applied { try tx.record(outcome, handles: outcome.ledger.map(\.memberHandle)) }
        outcomes.append(outcome)
      }
      try finish(&tx, outcomes)
      return outcomes
    }
  }

  static func rejected(_ id: String, _ error: ActionError) -> Outcome {
    var outcome = Outcome()
    outcome.actionID = id
    outcome.status = .rejected(error.message)
    return outcome
  }
}
