import LaurelExpression

extension Evaluator {
  /// Phase 1: evaluates every rule of the action without changing state.
  /// Returns the reason when the action must be rejected.
  func planRules<T: StateTransaction>(
    _ plan: CompiledAction, action: PreparedAction, actor: MemberKey, scope: (id: String?, hash: UInt64?),
    actorDraft: MemberState?, tx: inout T
  ) throws(T.Failure) -> ActionError? {
    scratch.planned.clear()
    scratch.amounts.clear()
    scratch.counts.clear()
    scratch.progressKeys.clear()
    for (r, rule) in plan.rules.enumerated() {
      if let from = rule.from, action.at < from { continue }
      if let until = rule.until, !(action.at < until) { continue }
      // A condition on the action alone is decided first: a rule that does not
      // apply never needs its recipient (`when: has(event.owner)` guards `to: event.owner`).
      let decidedFirst = rule.whenReadsOnlyAction
      if decidedFirst, let decided = rule.actionCondition?.decide(action) {
        if !decided { continue }
      } else if decidedFirst, let when = rule.when {
        let holds: Value
        do { holds = try evaluate(when, member: nil, in: &tx) } catch {
          return ActionError(.ruleFailed, "action \(action.id): rule '\(rule.id)': \(error.message)")
        }
        guard case .bool(let applies) = holds else {
          return ActionError(.ruleFailed, "action \(action.id): rule '\(rule.id)': 'when' did not give true or false")
        }
        if !applies { continue }
      }
      var recipient = actor
      if let to = rule.recipient {
        // A plain field (`event.author`) is read as is; anything else is evaluated.
        var value: Value
        var hash: UInt64?
        if let f = rule.recipientField, let field = action.fields[f].value {
          value = field
          hash = action.fields[f].hash
        } else {
          do { value = try to.evaluate(activation) } catch {
            return ActionError(.ruleFailed, "action \(action.id): rule '\(rule.id)': \(error.message)")
          }
        }
        guard case .string(let user) = value, !user.isEmpty else {
          return ActionError(
            .ruleFailed, "action \(action.id): rule '\(rule.id)': 'to' must give a user id, got \(value)")
        }
        recipient = MemberKey(
          MemberID(scope: scope.id, user: user), scopeHash: scope.hash, userHash: hash ?? fnv1a(user))
      }
      let handle = rule.readsMember ? try tx.existingMember(recipient) : nil
      let draft = handle == nil && recipient == actor ? actorDraft : nil
      do throws(EvalError) {
        if let when = rule.when, !decidedFirst {
          guard case .bool(let holds) = try evaluate(when, member: handle, draft: draft, in: &tx) else {
            return ActionError(.ruleFailed, "action \(action.id): rule '\(rule.id)': 'when' did not give true or false")
          }
          if !holds { continue }
        }
        var onceKey: String?
        if let f = rule.onceField, case .string(let key)? = action.fields[f].value {
          onceKey = key
        } else if let once = rule.oncePer {
          onceKey = try once.evaluate(activation).plainText
        }
        let planned = PlannedRule(
          rule: Int32(r), recipient: recipient, onceKey: onceKey, amountStart: Int32(scratch.amounts.count),
          countStart: Int32(scratch.counts.count), progressStart: Int32(scratch.progressKeys.count))
        for (i, (currency, amount)) in rule.amounts.enumerated() {
          let value: Int64
          if case .int(let constant)? = amount.constant {
            value = constant
          } else {
            guard case .int(let computed) = try evaluate(amount, member: handle, draft: draft, in: &tx) else {
              return ActionError(
                .ruleFailed, "action \(action.id): rule '\(rule.id)': the amount is not a whole number")
            }
            value = computed
          }
          // Amounts are 0 or more; the rule's kind (award or deduct) gives the sign.
          guard value >= 0 else {
            return ActionError(
              .ruleFailed,
              "action \(action.id): rule '\(rule.id)': the amount of \(rules.currencies[currency].name) is negative (\(value)); amounts are 0 or more"
            )
          }
          scratch.amounts.append(value * rule.signs[i])
        }
        for (counter, amount) in rule.counts {
          var by: Int64 = 1
          if let amount {
            guard case .int(let v) = try evaluate(amount, member: handle, draft: draft, in: &tx) else {
              return ActionError(.ruleFailed, "action \(action.id): rule '\(rule.id)': the count is not a whole number")
            }
            by = v
          }
          let key = try rules.counters[counter].key.map { (p: Program) throws(EvalError) -> String in
            try p.evaluate(activation).plainText
          }
          scratch.counts.append((by, key))
        }
        for (progress, _) in rule.progress {
          scratch.progressKeys.append(try rules.progress[progress].key.evaluate(activation).plainText)
        }
        if let missing = missingObject(of: rule, action: action) { return missing }
        scratch.planned.append(planned)
      } catch {
        return ActionError(.ruleFailed, "action \(action.id): rule '\(rule.id)': \(error.message)")
      }
      // The rule applies: its windowed effects must not go back in time.
      if rules.usesWindows,
        let reason = try lateness(of: action, rule: rule, recipient: recipient, handle: handle, in: &tx)
      {
        return reason
      }
    }
    if rules.usesWindows, !plan.bonuses.isEmpty || !plan.streaks.isEmpty, let h = try tx.existingMember(actor) {
      let items = windowedByType[action.typeIndex!]
      if let reason = tx.readMember(
        h,
        { state in
          lateness(
            of: action.id, for: actor.id, state, caps: items.caps, counters: items.counters, bonuses: plan.bonuses,
            streaks: plan.streaks)
        })
      {
        return reason
      }
    }
    return nil
  }

  /// Why a rule's effects on an existing recipient would be late (see ``lateness(of:for:_:caps:counters:bonuses:streaks:)``).
  private func lateness<T: StateTransaction>(
    of action: PreparedAction, rule: CompiledRule, recipient: MemberKey, handle: Int?, in tx: inout T
  ) throws(T.Failure) -> ActionError? {
    let items = windowedByRule[rule.globalIndex]
    guard !items.isEmpty else { return nil }
    var existing = handle
    if existing == nil { existing = try tx.existingMember(recipient) }
    guard let h = existing else { return nil }
    return tx.readMember(h) { state in
      lateness(of: action.id, for: recipient.id, state, caps: items.caps, counters: items.counters)
    }
  }
}
