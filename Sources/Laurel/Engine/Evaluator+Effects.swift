import LaurelExpression

extension Evaluator {
  /// Phase 2 for the actor: window bonuses (before the action's own rules) and streaks.
  func applyActorEffects<T: StateTransaction>(
    _ plan: CompiledAction, handle: Int, actor: MemberID, action: PreparedAction, tx: inout T,
    outcome: inout Outcome
  ) {
    var dirty = Dependencies.touched
    tx.withMember(handle) { state in
      for b in plan.bonuses {
        let bonus = rules.bonuses[b]
        let window = context.window(bonus.every)
        guard state.bonusWindows[b] != window else { continue }
        state.bonusWindows[b] = window
        for (i, (currency, amount)) in bonus.amounts.enumerated() {
          credit(
            &state, currency: currency, amount: amount, caps: bonus.caps[i], to: actor, handle: handle,
            rule: rules.ruleCount + b, outcome: &outcome)
          dirty |= rules.dependencies.currency[currency]
        }
      }
      for s in plan.streaks {
        let window = context.window(rules.streaks[s].every)
        var streak = state.streaks[s]
        guard streak.lastWindow != window else { continue }
        streak.length = streak.lastWindow == window - 1 ? streak.length + 1 : 1
        streak.longest = max(streak.longest, streak.length)
        streak.lastWindow = window
        state.streaks[s] = streak
        dirty |= rules.dependencies.streak[s]
      }
    }
    touch(handle, actor, dirty)
  }

  /// Phase 2 for the planned rules, in order.
  func applyPlannedRules<T: StateTransaction>(
    action: PreparedAction, tx: inout T, outcome: inout Outcome
  ) throws(T.Failure) {
    let plan = rules.actions[action.typeIndex!]
    for planned in scratch.planned {
      let rule = plan.rules[Int(planned.rule)]
      guard rule.touchesMember else {
        try countIntoObjects(rule, planned, recipient: nil, tx: &tx)
        continue
      }
      guard let handle = try recipient(planned.recipient, rule: rule.globalIndex, onceKey: planned.onceKey, in: &tx)
      else { continue }
      var dirty = Dependencies.touched
      let applied = tx.withMember(handle) { state -> Bool in
        if let cooldown = rule.cooldownSeconds {
          if let last = state.cooldowns[rule.globalIndex], action.at.seconds - last < cooldown { return false }
          state.cooldowns[rule.globalIndex] = action.at.seconds
        }
        for (i, (currency, _)) in rule.amounts.enumerated() {
          credit(
            &state, currency: currency, amount: scratch.amounts[Int(planned.amountStart) + i], caps: rule.caps[i],
            to: planned.recipient.id, handle: handle, rule: rule.globalIndex, outcome: &outcome)
          dirty |= rules.dependencies.currency[currency]
        }
        for (i, (counter, _)) in rule.counts.enumerated() where rules.counters[counter].object == nil {
          let (by, key) = scratch.counts[Int(planned.countStart) + i]
          let value = bump(&state, counter: counter, by: by, key: key)
          dirty |= rules.dependencies.counter[counter]
          guard outcome.itemized else { continue }
          outcome.counterChanges.append(
            CounterChange(member: planned.recipient.id, counter: rules.counters[counter].name, key: key, value: value))
        }
        for (i, (progress, target)) in rule.progress.enumerated() {
          let key = scratch.progressKeys[Int(planned.progressStart) + i]
          if state.progress[progress][key, default: 0] != target {
            state.progress[progress][key] = target
            dirty |= rules.dependencies.progress[progress]
            guard outcome.itemized else { continue }
            outcome.progressChanges.append(
              ProgressChange(
                member: planned.recipient.id, progress: rules.progress[progress].name, key: key,
                state: rules.progress[progress].states[Int(target)]))
          }
        }
        return true
      }
      touch(handle, planned.recipient.id, dirty)
      if applied, !plan.objects.isEmpty { try countIntoObjects(rule, planned, recipient: handle, tx: &tx) }
    }
  }

  /// The handle of a rule's recipient, created if new, once the rule's
  /// once-per key (if any) is claimed; nil when that key was claimed before.
  /// `onceKeyHash` is the key's hash when decoding took it.
  func recipient<T: StateTransaction>(
    _ key: MemberKey, rule: Int, onceKey: String?, onceKeyHash: UInt64? = nil, in tx: inout T
  ) throws(T.Failure) -> Int? {
    // Through a pointer: a closure reading `initial` would retain the evaluator on every call.
    let initial = initialStorage
    guard let onceKey else { return try tx.member(key, initial: { initial.pointee }) }
    func claim(_ handle: Int) throws(T.Failure) -> Bool {
      guard let onceKeyHash else { return try tx.claimOnce(handle, rule: rule, key: onceKey) }
      return try tx.claimOnce(handle, rule: rule, key: onceKey, keyHash: onceKeyHash)
    }
    if let existing = try tx.existingMember(key) {
      return try claim(existing) ? existing : nil
    }
    let handle = try tx.member(key, initial: { initial.pointee })
    _ = try claim(handle)
    return handle
  }

  /// ``credit(_:currency:amount:caps:)``, recording a ledger entry for what was applied.
  @inline(__always)
  func credit(
    _ state: inout MemberState, currency: Int, amount: Int64, caps: [Int], to member: MemberID, handle: Int, rule: Int,
    outcome: inout Outcome
  ) {
    let applied = credit(&state, currency: currency, amount: amount, caps: caps)
    if applied > 0 { outcome.tally.pointsAwarded += 1 } else if applied < 0 { outcome.tally.pointsDeducted += 1 }
    if applied != 0 && outcome.itemized {
      outcome.records.append(
        LedgerRecord(
          member: member, handle: handle, currency: currency, rule: rule, amount: applied,
          balance: state.balances[currency]))
    }
  }

  /// Adds `amount` to a balance after caps (earnings only) and the floor; returns what was applied.
  func credit(_ state: inout MemberState, currency c: Int, amount requested: Int64, caps: [Int]) -> Int64 {
    var amount = requested
    if amount > 0 && !caps.isEmpty {
      for cap in caps {
        let w = context.window(rules.caps[cap].per)
        if state.capUsage[cap].window != w { state.capUsage[cap] = CapUsage(window: w, used: 0) }
        amount = min(amount, max(0, rules.caps[cap].max - state.capUsage[cap].used))
      }
      for cap in caps { state.capUsage[cap].used += amount }
    }
    let old = state.balances[c]
    var new = Self.saturatingSum(old, amount)
    if let floor = rules.currencies[c].floor, new < floor { new = min(old, floor) }
    state.balances[c] = new
    let applied = new - old
    if applied < 0 {
      // What a deduction actually took frees room under the net caps of its rule.
      for cap in caps where rules.caps[cap].net {
        let w = context.window(rules.caps[cap].per)
        if state.capUsage[cap].window != w { state.capUsage[cap] = CapUsage(window: w, used: 0) }
        state.capUsage[cap].used = Self.saturatingSum(state.capUsage[cap].used, applied)
      }
    }
    if applied != 0 {
      for counter in rules.currencies[c].trackingCounters { _ = bump(&state, counter: counter, by: applied, key: nil) }
      if applied > 0 {
        for counter in rules.currencies[c].earningCounters { _ = bump(&state, counter: counter, by: applied, key: nil) }
      }
    }
    return applied
  }

  /// `a + b`, held at Int64's bounds instead of wrapping (balances and counters saturate).
  @inline(__always)
  static func saturatingSum(_ a: Int64, _ b: Int64) -> Int64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? (b > 0 ? .max : .min) : sum
  }

  /// Adds to a counter (resetting it when its window has passed); returns the new value.
  func bump(_ state: inout MemberState, counter i: Int, by: Int64, key: String?) -> Int64 {
    if let window = rules.counters[i].window {
      let w = context.window(window)
      if state.counters[i].window != w {
        state.counters[i] = CounterState()
        state.counters[i].window = w
      }
    }
    if let key {
      let value = Self.saturatingSum(state.counters[i].byKey[key, default: 0], by)
      state.counters[i].byKey[key] = value
      return value
    }
    state.counters[i].total = Self.saturatingSum(state.counters[i].total, by)
    return state.counters[i].total
  }
}
