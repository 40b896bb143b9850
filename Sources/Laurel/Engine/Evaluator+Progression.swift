import LaurelExpression

extension Evaluator {
  /// Phase 3: re-ranks ladders and re-checks badges of the touched members,
  /// only those whose inputs changed in this action.
  func updateProgression<T: StateTransaction>(action: PreparedAction, tx: inout T, outcome: inout Outcome) {
    let deps = rules.dependencies
    for touched in scratch.touched {
      var dirty = touched.dirty
      var pendingBadges: [(Int, String?)] = []
      tx.withMember(touched.handle) { state in
        for (l, ladder) in rules.ladders.enumerated() {
          var inputs = deps.currency[ladder.currency]
          if let segment = ladder.segmentTrait { inputs |= deps.trait[segment] }
          guard dirty & inputs != 0 else { continue }
          let computed = ladder.rank(for: state, tiers: ladder.tiers)
          let old = Int(state.tiers[l])
          let new = ladder.policy == .ratchet ? max(old, computed) : computed
          guard new != old else { continue }
          state.tiers[l] = Int32(new)
          dirty |= deps.ladder[l]
          outcome.tierChanges.append(
            TierChange(
              member: touched.member, ladder: ladder.name, from: old, to: new,
              name: new > 0 ? ladder.tiers[new - 1].name : ""))
        }
        guard !rules.badges.isEmpty else { return }
        withUnsafePointer(to: &state) { pointer in
          for (b, badge) in rules.badges.enumerated() where !badge.manual && badge.dependsOn & dirty != 0 {
            guard let key = badgeKey(badge), !pointer.pointee.hasBadge(b, key: key ?? nil) else { continue }
            activation.variables[rules.slots.key] = (key ?? nil).map(Value.string)
            guard let when = badge.when else { continue }
            let earned = (try? context.with(pointer) { () throws(EvalError) in try when.evaluate(activation) }) == .bool(true)
            if earned {
              pendingBadges.append((b, key ?? nil))
            }
          }
        }
        for (b, key) in pendingBadges {
          state.badges.append(EarnedBadge(badge: b, key: key, at: action.at))
          outcome.badges.append(BadgeAward(member: touched.member, badge: rules.badges[b].name, key: key, at: action.at))
        }
      }
    }
    scratch.touched.removeAll(keepingCapacity: true)
  }

  /// The badge's key for this action: `.some(nil)` for unkeyed badges, nil when
  /// the key cannot be computed (the action does not concern this badge).
  private func badgeKey(_ badge: CompiledBadge) -> String?? {
    guard let program = badge.key else { return .some(nil) }
    guard let value = try? program.evaluate(activation) else { return nil }
    return .some(value.plainText)
  }
}
