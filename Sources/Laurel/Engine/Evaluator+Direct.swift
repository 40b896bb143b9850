import LaurelExpression

extension Evaluator {
  /// Applies an action whose type has a ``DirectPlan`` (here `plan`, in ``direct``), in one pass.
  ///
  /// Returns false, having changed nothing (not even claimed the id), when a
  /// value the rules need is missing or not a string, the action updates
  /// traits, or its scope has tier overrides: the general path then applies
  /// or rejects it with its reason (and ranks under the overrides).
  ///
  /// The action is read in place, through `pointer` (see ``apply(at:to:outcome:)``).
  func applyDirect<T: StateTransaction>(
    _ pointer: UnsafePointer<PreparedAction>, _ plan: DirectTable.Plan, to tx: inout T, outcome: inout Outcome
  ) throws(T.Failure) -> Bool {
    guard pointer.pointee.traits.isEmpty else { return false }
    var scope: String?
    var scopeHash: UInt64?
    if let f = rules.scopeField {
      guard case .string(let value)? = pointer.pointee.fields[f].value else { return false }
      scope = value
      scopeHash = pointer.pointee.fields[f].hash
    }
    for f in direct.recipientFields[plan.recipientFields] {
      guard pointer.pointee.fields[f].isNonEmptyString else { return false }
    }
    for f in direct.onceFields[plan.onceFields] {
      guard pointer.pointee.fields[f].isString else { return false }
    }
    if overridable, try tx.tierOverrides(scope: scope) != nil { return false }
    guard try tx.claimAction(at: pointer) else {
      outcome.status = .duplicate
      return true
    }
    if directBinds, let type = pointer.pointee.typeIndex { bind(pointer.pointee, rules.actions[type]) }
    // With one rule, one member changes: its ladders are re-ranked at once,
    // without a list of touched members (unless badges need the full pass).
    let ranksAtOnce = plan.rules.count == 1 && !checksBadges
    for r in plan.rules {
      let rule = direct.rules[r]
      if let from = rule.from, pointer.pointee.at < from { continue }
      if let until = rule.until, !(pointer.pointee.at < until) { continue }
      let key: MemberKey
      if let f = rule.recipientField, case .string(let user)? = pointer.pointee.fields[f].value {
        let id = MemberID(scope: scope, user: user)
        key = MemberKey(id, scopeHash: scopeHash, userHash: pointer.pointee.fields[f].hash)
      } else {
        let id = MemberID(scope: scope, user: pointer.pointee.user)
        key = MemberKey(id, scopeHash: scopeHash, userHash: pointer.pointee.userHash)
      }
      var onceKey: String?
      var onceKeyHash: UInt64?
      if let f = rule.onceField, case .string(let value)? = pointer.pointee.fields[f].value {
        onceKey = value
        onceKeyHash = pointer.pointee.fields[f].hash
      }
      guard let handle = try recipient(key, rule: rule.globalIndex, onceKey: onceKey, onceKeyHash: onceKeyHash, in: &tx)
      else { continue }
      var dirty = Dependencies.touched
      tx.withMember(handle) { state in
        for a in rule.amounts {
          let amount = direct.amounts[a]
          dirty |= amount.dirty
          credit(
            &state, currency: amount.currency, amount: amount.amount, caps: [], to: key.id, handle: handle,
            rule: rule.globalIndex, outcome: &outcome)
        }
        if ranksAtOnce { _ = rerank(&state, member: key.id, dirty: dirty, overrides: nil, outcome: &outcome) }
      }
      if !ranksAtOnce { touch(handle, key.id, dirty) }
    }
    if !ranksAtOnce { try updateProgression(action: pointer.pointee, tx: &tx, outcome: &outcome) }
    return true
  }
}
