import LaurelExpression

extension Evaluator {
  /// Applies an action whose type has a ``DirectPlan`` (here `plan`, in ``direct``), in one pass.
  ///
  /// Returns false, having changed nothing (not even claimed the id), when a
  /// condition cannot be decided from the fields, a value an applying rule
  /// needs is missing or not a string (a recipient, a once-per key, the key
  /// of an object it counts into), the action is late for a recipient's
  /// windowed state, it updates traits, or its scope has tier overrides: the
  /// general path then applies or rejects it with its reason (and ranks under
  /// the overrides).
  ///
  /// The action is read in place, through `pointer` (see ``apply(at:to:outcome:)``).
  /// Plans of plain award rules take a shorter way than guarded ones: most
  /// schemes' busiest actions are plain, and the guarded way's checks cost
  /// them about 5% (and the inlining of the member lookup).
  @inline(__always)
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
    if plan.guarded {
      return try applyGuarded(pointer, plan, scope: scope, scopeHash: scopeHash, to: &tx, outcome: &outcome)
    }
    return try applyPlain(pointer, plan, scope: scope, scopeHash: scopeHash, to: &tx, outcome: &outcome)
  }

  /// A plan whose rules are awards and deductions of constants, with no
  /// condition, cap, windowed state, count or object.
  private func applyPlain<T: StateTransaction>(
    _ pointer: UnsafePointer<PreparedAction>, _ plan: DirectTable.Plan, scope: String?, scopeHash: UInt64?,
    to tx: inout T, outcome: inout Outcome
  ) throws(T.Failure) -> Bool {
    for r in plan.rules {
      if let f = direct.rules[r].recipientField {
        guard pointer.pointee.fields[f].isNonEmptyString else { return false }
      }
      if let f = direct.rules[r].onceField { guard pointer.pointee.fields[f].isString else { return false } }
    }
    if overridable, try tx.tierOverrides(scope: scope) != nil { return false }
    if !rules.objects.isEmpty, MemberID.isObjectScope(scope) { return false }
    guard try tx.claimAction(at: pointer) else {
      outcome.status = .duplicate
      return true
    }
    if let type = pointer.pointee.typeIndex { prepare(pointer, type) }
    // With one rule, one member changes: its ladders are re-ranked at once,
    // without a list of touched members (unless badges need the full pass).
    let ranksAtOnce = plan.rules.count == 1 && !checksBadges
    for r in plan.rules {
      let rule = direct.rules[r]
      if let from = rule.from, pointer.pointee.at < from { continue }
      if let until = rule.until, !(pointer.pointee.at < until) { continue }
      let key = recipientKey(rule, pointer, scope: scope, scopeHash: scopeHash)
      guard let handle = try recipient(of: rule, key, pointer, in: &tx) else { continue }
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
    if !ranksAtOnce { try updateProgression(action: pointer, tx: &tx, outcome: &outcome) }
    return true
  }

  /// A plan with conditions, caps, windowed state, counts or objects (see ``applyDirect(_:_:to:outcome:)``).
  private func applyGuarded<T: StateTransaction>(
    _ pointer: UnsafePointer<PreparedAction>, _ plan: DirectTable.Plan, scope: String?, scopeHash: UInt64?,
    to tx: inout T, outcome: inout Outcome
  ) throws(T.Failure) -> Bool {
    // Which rules apply (a bit each), and whether each has what it needs.
    var applying: UInt64 = 0
    var windowed = false
    for (bit, r) in plan.rules.enumerated() {
      let rule = direct.rules[r]
      if let from = rule.from, pointer.pointee.at < from { continue }
      if let until = rule.until, !(pointer.pointee.at < until) { continue }
      if let c = rule.condition {
        guard let holds = direct.conditions[c].decide(pointer) else { return false }
        if !holds { continue }
      }
      if let f = rule.recipientField { guard pointer.pointee.fields[f].isNonEmptyString else { return false } }
      if let f = rule.onceField { guard pointer.pointee.fields[f].isString else { return false } }
      applying |= 1 << UInt64(bit)
      windowed = windowed || rule.windowed
    }
    if overridable, try tx.tierOverrides(scope: scope) != nil { return false }
    // With one rule, one member changes: its ladders are re-ranked at once,
    // without a list of touched members (unless badges need the full pass).
    let ranksAtOnce = plan.rules.count == 1 && !checksBadges
    // A scope objects' ids use: the general path rejects the action.
    if !rules.objects.isEmpty, MemberID.isObjectScope(scope) { return false }
    if plan.loadsObjects {
      guard let type = pointer.pointee.typeIndex else { return false }
      prepare(pointer, type)
      try loadObjects(rules.actions[type], action: pointer, scope: scope, tx: &tx)
      for (bit, r) in plan.rules.enumerated() where applying & (1 << UInt64(bit)) != 0 {
        for c in direct.rules[r].counts {
          if let o = direct.counts[c].object, scratch.objectKeys[o] == nil { return false }
        }
      }
    } else if let type = pointer.pointee.typeIndex {
      prepare(pointer, type)
    }
    if windowed {
      for (bit, r) in plan.rules.enumerated() where applying & (1 << UInt64(bit)) != 0 && direct.rules[r].windowed {
        let rule = direct.rules[r]
        guard rule.touchesMember else { continue }
        let key = recipientKey(rule, pointer, scope: scope, scopeHash: scopeHash)
        guard let h = try tx.existingMember(key) else { continue }
        let items = windowedByRule[rule.globalIndex]
        let late = tx.readMember(h) { state in
          lateness(of: pointer.pointee.id, for: key.id, state, caps: items.caps, counters: items.counters) != nil
        }
        if late { return false }
      }
    }
    guard try tx.claimAction(at: pointer) else {
      outcome.status = .duplicate
      return true
    }
    for (bit, r) in plan.rules.enumerated() where applying & (1 << UInt64(bit)) != 0 {
      let rule = direct.rules[r]
      guard rule.touchesMember else {
        for c in rule.counts { try count(direct.counts[c], intoObjectFor: nil, tx: &tx) }
        continue
      }
      let key = recipientKey(rule, pointer, scope: scope, scopeHash: scopeHash)
      guard let handle = try recipient(of: rule, key, pointer, in: &tx) else { continue }
      var dirty = Dependencies.touched
      tx.withMember(handle) { state in
        for a in rule.amounts {
          let amount = direct.amounts[a]
          dirty |= amount.dirty
          credit(
            &state, currency: amount.currency, amount: amount.amount, caps: amount.capped ? direct.amountCaps[a] : [],
            to: key.id, handle: handle,
            rule: rule.globalIndex, outcome: &outcome)
        }
        for c in rule.counts where direct.counts[c].object == nil {
          let count = direct.counts[c]
          let value = bump(&state, counter: count.counter, by: count.by, key: nil)
          dirty |= count.dirty
          guard outcome.itemized else { continue }
          outcome.counterChanges.append(
            CounterChange(member: key.id, counter: rules.counters[count.counter].name, key: nil, value: value))
        }
        if ranksAtOnce { _ = rerank(&state, member: key.id, dirty: dirty, overrides: nil, outcome: &outcome) }
      }
      if !ranksAtOnce { touch(handle, key.id, dirty) }
      // Indices, not a slice: slicing retains the array on every action.
      for c in rule.counts where direct.counts[c].object != nil {
        try count(direct.counts[c], intoObjectFor: (handle, key.id), tx: &tx)
      }
    }
    if !ranksAtOnce { try updateProgression(action: pointer, tx: &tx, outcome: &outcome) }
    return true
  }

  /// Binds the action when a program may run on the direct path (see
  /// ``directEvaluates``); else sets only the windows that caps and windowed counters count in.
  @inline(__always)
  private func prepare(_ pointer: UnsafePointer<PreparedAction>, _ type: Int) {
    if directEvaluates {
      bind(pointer, rules.actions[type])
    } else if rules.usesWindows {
      setWindows(at: pointer.pointee.at)
    }
  }

  /// The handle of a direct rule's recipient, once its once-per key (if any)
  /// is claimed; nil when that key was claimed before.
  @inline(__always)
  private func recipient<T: StateTransaction>(
    of rule: DirectPlan.Rule, _ key: MemberKey, _ pointer: UnsafePointer<PreparedAction>, in tx: inout T
  ) throws(T.Failure) -> Int? {
    var onceKey: String?
    var onceKeyHash: UInt64?
    if let f = rule.onceField, case .string(let value)? = pointer.pointee.fields[f].value {
      onceKey = value
      onceKeyHash = pointer.pointee.fields[f].hash
    }
    return try recipient(key, rule: rule.globalIndex, onceKey: onceKey, onceKeyHash: onceKeyHash, in: &tx)
  }

  /// The member a direct rule credits: the one its field names, else the actor.
  @inline(__always)
  private func recipientKey(
    _ rule: DirectPlan.Rule, _ pointer: UnsafePointer<PreparedAction>, scope: String?, scopeHash: UInt64?
  ) -> MemberKey {
    if let f = rule.recipientField, case .string(let user)? = pointer.pointee.fields[f].value {
      return MemberKey(
        MemberID(scope: scope, user: user), scopeHash: scopeHash, userHash: pointer.pointee.fields[f].hash)
    }
    return MemberKey(
      MemberID(scope: scope, user: pointer.pointee.user), scopeHash: scopeHash, userHash: pointer.pointee.userHash)
  }

  /// Adds a direct count to the action's object (loaded, its key checked);
  /// the recipient, if any, is marked so that its badges reading the object are re-checked.
  private func count<T: StateTransaction>(
    _ c: DirectPlan.Count, intoObjectFor recipient: (handle: Int, member: MemberID)?, tx: inout T
  ) throws(T.Failure) {
    guard let o = c.object else { return }
    try bumpObject(o, counter: c.counter, by: c.by, key: nil, tx: &tx)
    if let recipient { touch(recipient.handle, recipient.member, c.dirty) }
  }
}
