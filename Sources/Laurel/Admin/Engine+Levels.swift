public import LaurelExpression

/// What setting or resetting a scope's tiers did.
public struct TierUpdate: Sendable, Equatable {
  public var ladder: String
  public var scope: String?
  /// The tiers in force now (the rules' after a reset).
  public var tiers: [TierSetting]
  /// Whether the scope's tiers differ from the rules' now.
  public var isOverridden: Bool
  /// Members whose tier moved, each a `leveledUp` or `leveledDown` member
  /// event to publish (ratchet ladders never move down).
  public var tierChanges: [TierChange]
  /// Members of the scope re-ranked.
  public var membersRanked: Int

  /// The `leveledUp` / `leveledDown` events to publish, one per member who moved.
  public var memberEvents: [MemberEvent] {
    tierChanges.map { $0.to > $0.from ? .leveledUp($0) : .leveledDown($0) }
  }
}

extension Engine where S: AdminStore {
  /// Sets the names and thresholds of an `overridable` ladder's tiers for
  /// one scope (seed 004's `PUT /levels`), then re-ranks every member of the
  /// scope under the ladder's policy — in one transaction with the audit entry.
  ///
  /// The tiers are checked first, every problem reported at once
  /// (``AdminError/Kind/validation`` with ``AdminError/problems``); names are
  /// stored trimmed, without HTML tags.
  ///
  /// - Throws: ``AdminError`` (validation, unknown ladder, not overridable, scope).
  public func setTiers(
    _ tiers: [TierSetting], ladder: String, scope: String?, by admin: String, reason: String? = nil,
    at time: Timestamp = .now
  ) async throws -> TierUpdate {
    let index = try overridableLadder(ladder, scope: scope)
    let cleaned = try TierValidation.check(tiers, declared: rules.ladders[index].tiers.count).get()
    return try await changeTiers(index, to: cleaned, scope: scope, by: admin, reason: reason, at: time)
  }

  /// Returns a scope to the ladder's tiers as the rules declare them, and re-ranks its members.
  ///
  /// - Throws: ``AdminError`` (unknown ladder, not overridable, scope).
  public func resetTiers(
    ladder: String, scope: String?, by admin: String, reason: String? = nil, at time: Timestamp = .now
  ) async throws -> TierUpdate {
    let index = try overridableLadder(ladder, scope: scope)
    return try await changeTiers(index, to: nil, scope: scope, by: admin, reason: reason, at: time)
  }

  private func overridableLadder(_ name: String, scope: String?) throws(AdminError) -> Int {
    try checkScope(scope)
    guard let index = rules.ladders.firstIndex(where: { $0.name == name }) else {
      throw AdminError(
        .unknownName, "unknown ladder '\(name)'; declared ladders: \(rules.ladderNames.joined(separator: ", "))")
    }
    guard rules.ladders[index].overridable else {
      throw AdminError(.notOverridable, "ladder '\(name)' is not declared overridable: its tiers are set in the rules")
    }
    return index
  }

  private func changeTiers(
    _ index: Int, to tiers: [TierSetting]?, scope: String?, by admin: String, reason: String?, at time: Timestamp
  ) async throws -> TierUpdate {
    let ladder = rules.ladders[index]
    let declared = ladder.tiers.map { TierSetting(name: $0.name, threshold: $0.threshold) }
    let key = SettingKey(.tiers, scope: scope, name: ladder.name)
    let publishes = publishesEvents
    return try await store.transaction { tx in
      let before = try tx.setting(key)
      let after = tiers.map(SettingJSON.encode)
      try tx.setSetting(key, to: after)
      let inForce = tiers ?? declared
      var changes: [TierChange] = []
      let members = try tx.loadMembers(inScope: scope)
      for (member, handle) in members {
        let (old, computed) = tx.readMember(handle) { state in
          (Int(state.tiers[index]), ladder.rank(for: state, thresholds: inForce.lazy.map(\.threshold)))
        }
        let new = ladder.policy == .ratchet ? max(old, computed) : computed
        guard new != old else { continue }
        tx.withMember(handle) { $0.tiers[index] = Int32(new) }
        changes.append(
          TierChange(
            member: member, ladder: ladder.name, from: old, to: new, name: new > 0 ? inForce[new - 1].name : ""))
      }
      try tx.appendAudit(
        AuditEntry(
          actor: admin, operation: tiers == nil ? "levels.reset" : "levels.set", scope: scope, target: ladder.name,
          before: before ?? SettingJSON.encode(declared), after: after ?? SettingJSON.encode(declared), reason: reason,
          at: time))
      let update = TierUpdate(
        ladder: ladder.name, scope: scope, tiers: inForce, isOverridden: tiers != nil, tierChanges: changes,
        membersRanked: members.count)
      if publishes, !changes.isEmpty { try tx.enqueue(OutboxEvent.events(update.memberEvents, at: time)) }
      return update
    }
  }
}
