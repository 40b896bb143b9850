import LaurelExpression

/// What re-ranking a ladder needs, as plain values (no strings or arrays), so
/// that checking the ladders of every touched member copies no references.
struct LadderRanking: Sendable {
  var currency: Int
  /// Dependency bits of the ladder's inputs: its currency and segment trait.
  var inputs: UInt64
  /// The ladder's own dependency bit (for badges that read tiers).
  var changed: UInt64
  var ratchet: Bool
  /// Whether tiers are open to some segments only (ranked the general way).
  var gated: Bool
  /// Where the ladder's thresholds, lowest tier first, sit in ``Evaluator/thresholds``.
  var thresholds: Range<Int>

  /// The rankings of every ladder, and their thresholds in one array.
  static func make(_ rules: CompiledRules) -> ([LadderRanking], [Int64]) {
    var thresholds: [Int64] = []
    let rankings = rules.ladders.enumerated().map { l, ladder in
      let start = thresholds.count
      thresholds += ladder.tiers.map(\.threshold)
      var inputs = rules.dependencies.currency[ladder.currency]
      if let segment = ladder.segmentTrait { inputs |= rules.dependencies.trait[segment] }
      return LadderRanking(
        currency: ladder.currency, inputs: inputs, changed: rules.dependencies.ladder[l],
        ratchet: ladder.policy == .ratchet, gated: ladder.tiers.contains { $0.access != nil },
        thresholds: start..<thresholds.count)
    }
    return (rankings, thresholds)
  }
}

extension Evaluator {
  /// Phase 3: re-ranks ladders and re-checks badges of the touched members,
  /// only those whose inputs changed in this action.
  func updateProgression<T: StateTransaction>(
    action: PreparedAction, tx: inout T, outcome: inout Outcome
  ) throws(T.Failure) {
    try withUnsafePointer(to: action) { (action) throws(T.Failure) in
      try updateProgression(action: action, tx: &tx, outcome: &outcome)
    }
  }

  /// ``updateProgression(action:tx:outcome:)`` for an action read in place.
  func updateProgression<T: StateTransaction>(
    action: UnsafePointer<PreparedAction>, tx: inout T, outcome: inout Outcome
  ) throws(T.Failure) {
    // Every member an action touches is in the action's scope.
    let overrides =
      overridable && !scratch.touched.isEmpty ? try scopeOverrides(scratch.touched[0].member.scope, in: &tx) : nil
    for t in scratch.touched.indices {
      tx.withMember(scratch.touched[t].handle) { state in
        let dirty = rerank(
          &state, member: scratch.touched[t].member, dirty: scratch.touched[t].dirty, overrides: overrides,
          outcome: &outcome)
        if checksBadges {
          awardBadges(to: &state, member: scratch.touched[t].member, dirty: dirty, action: action, outcome: &outcome)
        }
      }
    }
    scratch.touched.clear()
  }

  /// The tiers `scope` overrides, or nil when it overrides none.
  func scopeOverrides<T: StateTransaction>(_ scope: String?, in tx: inout T) throws(T.Failure) -> TierOverrides? {
    guard let overrides = try tx.tierOverrides(scope: scope), !overrides.isEmpty else { return nil }
    return overrides
  }

  /// Re-ranks the ladders whose inputs are in `dirty` (with the tiers of
  /// `overrides` where the member's scope set some); returns `dirty` plus
  /// the bits of the ladders whose tier changed.
  @inline(__always)
  func rerank(
    _ state: inout MemberState, member: MemberID, dirty: UInt64, overrides: TierOverrides?, outcome: inout Outcome
  ) -> UInt64 {
    var dirty = dirty
    for l in rankings.indices where dirty & rankings[l].inputs != 0 {
      let ranking = rankings[l]
      let computed: Int
      var custom: [TierSetting]?
      if let overrides, rules.ladders[l].overridable, let tiers = overrides[rules.ladders[l].name] {
        custom = tiers
        computed = rules.ladders[l].rank(for: state, thresholds: tiers.lazy.map(\.threshold))
      } else if ranking.gated {
        computed = rules.ladders[l].rank(for: state, tiers: rules.ladders[l].tiers)
      } else {
        // The number of thresholds met (they strictly increase), counted
        // from the member's tier: a balance moves a step or two at a time.
        let balance = state.balances[ranking.currency]
        let met = ranking.thresholds
        var rank = min(Int(state.tiers[l]), met.count)
        while rank < met.count && thresholds[met.lowerBound + rank] <= balance { rank += 1 }
        while rank > 0 && thresholds[met.lowerBound + rank - 1] > balance { rank -= 1 }
        computed = rank
      }
      let old = Int(state.tiers[l])
      let new = ranking.ratchet ? max(old, computed) : computed
      guard new != old else { continue }
      state.tiers[l] = Int32(new)
      dirty |= ranking.changed
      if new > old { outcome.tally.leveledUp += new - old } else { outcome.tally.leveledDown += 1 }
      guard outcome.itemized else { continue }
      let ladder = rules.ladders[l]
      outcome.tierChanges.append(
        TierChange(
          member: member, ladder: ladder.name, from: old, to: new,
          name: new > 0 ? (custom?[new - 1].name ?? ladder.tiers[new - 1].name) : ""))
    }
    return dirty
  }

  /// Re-checks the badges whose inputs are in `dirty`, and awards those earned.
  private func awardBadges(
    to state: inout MemberState, member: MemberID, dirty: UInt64, action: UnsafePointer<PreparedAction>,
    outcome: inout Outcome
  ) {
    var pendingBadges: [(Int, String?)] = []
    // Checks are read in place: copying one retains each of its programs.
    badgeChecks.withUnsafeBufferPointer { checks in
      badgeComparisons.withUnsafeBufferPointer { comparisons in
        context.objects.withUnsafeBufferPointer { objects in
          withUnsafePointer(to: &state) { pointer in
            awardBadges(
              checks, comparisons, pointer, objects: objects, member: member, dirty: dirty, action: action,
              pending: &pendingBadges)
          }
        }
      }
    }
    for (b, key) in pendingBadges {
      state.badges.append(EarnedBadge(badge: b, key: key, at: action.pointee.at))
      outcome.tally.badgesEarned += 1
      guard outcome.itemized else { continue }
      outcome.badges.append(BadgeAward(member: member, badge: rules.badges[b].name, key: key, at: action.pointee.at))
    }
  }

  /// The badges of `checks` whose inputs are in `dirty` that the member in `pointer` earns now.
  private func awardBadges(
    _ checks: UnsafeBufferPointer<BadgeCheck>, _ comparisons: UnsafeBufferPointer<BadgeCheck.Comparison>,
    _ pointer: UnsafePointer<MemberState>, objects: UnsafeBufferPointer<[CounterState]>, member: MemberID,
    dirty: UInt64, action: UnsafePointer<PreparedAction>, pending pendingBadges: inout [(Int, String?)]
  ) {
    // Most badges of a scheme name the same recipient field (`to: event.owner`): it is compared once.
    var admitted: (field: Int, admits: Bool)?
    for b in checks.indices where !checks[b].manual && checks[b].dependsOn & dirty != 0 {
      let check = checks.baseAddress! + b
      let admits: Bool
      if let f = check.pointee.toField, let known = admitted, known.field == f {
        admits = known.admits
      } else {
        admits = check.pointee.admits(member, action: action, to: rules.badges[b].to, activation: activation)
        if let f = check.pointee.toField { admitted = (f, admits) }
      }
      guard admits else { continue }
      // Comparisons that do not read the key are checked before it is worked
      // out (copying it costs more than comparing, and most do not hold yet).
      if check.pointee.comparisons != nil && !check.pointee.comparisonsReadKey {
        guard
          check.pointee.holds(in: pointer, key: nil, context: context, objects: objects, comparisons: comparisons)
            == true,
          let key = badgeKey(b, check, action: action), !pointer.pointee.hasBadge(b, key: key)
        else { continue }
        pendingBadges.append((b, key))
        continue
      }
      guard let key = badgeKey(b, check, action: action) else { continue }
      // A comparison read from the state costs less than the scan of the
      // member's badges, so it goes first; a condition to evaluate goes after.
      if let holds = check.pointee.holds(
        in: pointer, key: key, context: context, objects: objects, comparisons: comparisons)
      {
        if holds && !pointer.pointee.hasBadge(b, key: key) { pendingBadges.append((b, key)) }
        continue
      }
      guard let when = rules.badges[b].when else { continue }
      // A badge earned once is usually held (found early in the scan); a
      // per-key badge is rarely held for this key, so its condition goes first.
      if key == nil && pointer.pointee.hasBadge(b, key: nil) { continue }
      activation.variables[rules.slots.key] = key.map(Value.string)
      let earned =
        (try? context.with(pointer) { () throws(EvalError) in try when.evaluate(activation) }) == .bool(true)
      if earned && (key == nil || !pointer.pointee.hasBadge(b, key: key)) {
        pendingBadges.append((b, key))
      }
    }
  }

  /// The badge's key for this action: `.some(nil)` for unkeyed badges, nil when
  /// the key cannot be computed (the action does not concern this badge).
  private func badgeKey(_ b: Int, _ check: UnsafePointer<BadgeCheck>, action: UnsafePointer<PreparedAction>) -> String??
  {
    if let f = check.pointee.keyField {
      // A string field holds a string or nothing (actions are checked against the field types).
      guard f < action.pointee.fields.count, case .string(let value)? = action.pointee.fields[f].value else {
        return nil
      }
      return .some(value)
    }
    guard check.pointee.keyed, let program = rules.badges[b].key else { return .some(nil) }
    guard let value = try? program.evaluate(activation) else { return nil }
    return .some(value.plainText)
  }
}
