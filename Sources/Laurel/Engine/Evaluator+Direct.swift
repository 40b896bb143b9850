import LaurelExpression

extension Evaluator {
  /// Applies an action whose type has a ``DirectPlan``, in one pass.
  ///
  /// Returns false, having changed nothing (not even claimed the id), when a
  /// value the rules need is missing or not a string, or the action updates
  /// traits: the general path then applies or rejects it with its reason.
  func applyDirect<T: StateTransaction>(
    _ action: PreparedAction, _ direct: DirectPlan, _ plan: CompiledAction, to tx: inout T,
    outcome: inout Outcome, idClaimed: Bool
  ) throws(T.Failure) -> Bool {
    guard action.traits.isEmpty else { return false }
    var scope: String?
    var scopeHash: UInt64?
    if let f = rules.scopeField {
      guard case .string(let value)? = action.fields[f] else { return false }
      scope = value
      scopeHash = action.fieldHashes[f]
    }
    for f in direct.recipientFields {
      guard case .string(let user)? = action.fields[f], !user.isEmpty else { return false }
    }
    for f in direct.onceFields {
      guard case .string? = action.fields[f] else { return false }
    }
    if !idClaimed {
      guard try tx.claimAction(action) else {
        outcome.status = .duplicate
        return true
      }
    }
    if directBinds { bind(action, plan) }
    // With one rule, one member changes: its ladders are re-ranked at once,
    // without a list of touched members (unless badges need the full pass).
    let ranksAtOnce = direct.rules.count == 1 && !checksBadges
    for rule in direct.rules {
      if let from = rule.from, action.at < from { continue }
      if let until = rule.until, !(action.at < until) { continue }
      var user = action.user
      var userHash = action.userHash
      if let f = rule.recipientField, case .string(let value)? = action.fields[f] {
        user = value
        userHash = action.fieldHashes[f]
      }
      var onceKey: String?
      if let f = rule.onceField, case .string(let value)? = action.fields[f] { onceKey = value }
      let key = MemberKey(MemberID(scope: scope, user: user), scopeHash: scopeHash, userHash: userHash)
      guard let handle = try recipient(key, rule: rule.globalIndex, onceKey: onceKey, in: &tx) else { continue }
      var dirty = Dependencies.touched
      tx.withMember(handle) { state in
        for a in rule.amounts {
          let amount = direct.amounts[a]
          dirty |= amount.dirty
          credit(
            &state, currency: amount.currency, amount: amount.amount, caps: [], to: key.id, handle: handle,
            rule: rule.globalIndex, outcome: &outcome)
        }
        if ranksAtOnce { _ = rerank(&state, member: key.id, dirty: dirty, outcome: &outcome) }
      }
      if !ranksAtOnce { touch(handle, key.id, dirty) }
    }
    if !ranksAtOnce { updateProgression(action: action, tx: &tx, outcome: &outcome) }
    return true
  }
}
