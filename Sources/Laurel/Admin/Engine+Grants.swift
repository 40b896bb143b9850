public import LaurelExpression

extension Engine where S: AdminStore {
  /// Grants a `manual` badge of the rules or a runtime catalogue badge to a
  /// member (seed 000's `award_special_badge`), idempotently: a member who
  /// holds it already keeps the earlier award and nothing changes
  /// (``GrantResult/granted`` is false). The grant records who, when and why,
  /// lands with the member's other badges and is audited, in one transaction.
  ///
  /// - Throws: ``AdminError``: an unknown badge, an automatic badge
  ///   (``AdminError/Kind/notManual``), a scope mismatch, a reason too long.
  public func grantBadge(
    _ badge: String, key: String? = nil, to member: MemberID, by admin: String, reason: String? = nil,
    at time: Timestamp = .now
  ) async throws -> GrantResult {
    let target = try await grantable(badge, member: member)
    var problems: [AdminError.Problem] = []
    let reason = Self.text(reason, field: "reason", limit: 500, problems: &problems)
    if member.user.isEmpty { problems.append(.init(field: "user", message: "must not be empty")) }
    guard problems.isEmpty else { throw AdminError(.validation, "the grant is not valid", problems: problems) }
    let grantKey = Self.grantKey(member, badge, key)
    let grant = SettingJSON.encode(BadgeGrant(grantedBy: admin, at: time, reason: reason))
    let initial = rules.initialState()
    let publishes = publishesEvents
    return try await store.transaction { tx in
      if let earlier = SettingJSON.decode(BadgeGrant.self, try tx.setting(grantKey)) {
        return GrantResult(
          granted: false, award: BadgeAward(member: member, badge: badge, key: key, at: earlier.at), memberEvent: nil)
      }
      let handle = try tx.member(MemberKey(member), initial: { initial })
      if let index = target {
        let held = tx.readMember(handle) { state in state.badges.first { $0.badge == index && $0.key == key } }
        if let held {
          return GrantResult(
            granted: false, award: BadgeAward(member: member, badge: badge, key: key, at: held.at), memberEvent: nil)
        }
        tx.withMember(handle) { $0.badges.append(EarnedBadge(badge: index, key: key, at: time)) }
      }
      let award = BadgeAward(member: member, badge: badge, key: key, at: time)
      var outcome = Outcome()
      outcome.badges = [award]
      try tx.record(outcome)
      try tx.setSetting(grantKey, to: grant)
      try tx.appendAudit(
        AuditEntry(
          actor: admin, operation: "badge.grant", scope: member.scope, target: Self.auditTarget(member, badge, key),
          before: nil, after: grant, reason: reason, at: time))
      if publishes { try tx.enqueue(OutboxEvent.events([.badgeEarned(award)], at: time)) }
      return GrantResult(granted: true, award: award, memberEvent: .badgeEarned(award))
    }
  }

  /// Takes a granted badge back, audited. Only `manual` and runtime badges
  /// can be revoked; automatic ones would be earned again.
  ///
  /// - Throws: ``AdminError``: unknown, automatic (``AdminError/Kind/notManual``)
  ///   or not held (``AdminError/Kind/notHeld``).
  public func revokeBadge(
    _ badge: String, key: String? = nil, from member: MemberID, by admin: String, reason: String? = nil,
    at time: Timestamp = .now
  ) async throws {
    let target = try await grantable(badge, member: member)
    var problems: [AdminError.Problem] = []
    let reason = Self.text(reason, field: "reason", limit: 500, problems: &problems)
    guard problems.isEmpty else { throw AdminError(.validation, "the revocation is not valid", problems: problems) }
    let grantKey = Self.grantKey(member, badge, key)
    try await store.transaction { tx in
      let grant = try tx.setting(grantKey)
      guard let handle = try tx.existingMember(MemberKey(member)) else {
        throw AdminError(.notHeld, "\(member) does not hold badge '\(badge)'")
      }
      if let index = target {
        let held = tx.readMember(handle) { $0.badges.contains { $0.badge == index && $0.key == key } }
        guard held else { throw AdminError(.notHeld, "\(member) does not hold badge '\(badge)'") }
        tx.withMember(handle) { $0.badges.removeAll { $0.badge == index && $0.key == key } }
      } else if grant == nil {
        throw AdminError(.notHeld, "\(member) does not hold badge '\(badge)'")
      }
      try tx.removeBadge(handle, badge: badge, key: key)
      try tx.setSetting(grantKey, to: nil)
      try tx.appendAudit(
        AuditEntry(
          actor: admin, operation: "badge.revoke", scope: member.scope, target: Self.auditTarget(member, badge, key),
          before: grant, after: nil, reason: reason, at: time))
    }
  }

  /// The grants a member holds: badge, key and grant, by badge.
  public func grants(of member: MemberID) async throws -> [(badge: String, key: String?, grant: BadgeGrant)] {
    try await Self.grants(of: member, in: store)
  }

  /// The index of a grantable badge of the rules, nil for a runtime badge.
  private func grantable(_ badge: String, member: MemberID) async throws -> Int? {
    try checkScope(member.scope)
    if let index = rules.badges.firstIndex(where: { $0.name == badge }) {
      guard rules.badges[index].manual else {
        throw AdminError(
          .notManual, "badge '\(badge)' is earned automatically; only manual and runtime badges are granted")
      }
      return index
    }
    guard try await catalogueBadge(badge) != nil else {
      throw AdminError(.unknownName, "unknown badge '\(badge)': neither in the rules nor in the catalogue")
    }
    return nil
  }

  static func grants<A: AdminStore>(
    of member: MemberID, in store: A
  ) async throws -> [(badge: String, key: String?, grant: BadgeGrant)] {
    let prefix = String(SettingJSON.encode([member.user]).dropLast()) + ","
    return try await store.settings(.grant, scope: member.scope, prefix: prefix).compactMap { key, value in
      guard let parts = SettingJSON.decode([String].self, key.name), parts.count == 3,
        let grant = SettingJSON.decode(BadgeGrant.self, value)
      else { return nil }
      return (parts[1], parts[2].isEmpty ? nil : parts[2], grant)
    }
  }

  /// A grant's setting: the user, badge and key as a JSON array (no separator to escape).
  static func grantKey(_ member: MemberID, _ badge: String, _ key: String?) -> SettingKey {
    SettingKey(.grant, scope: member.scope, name: SettingJSON.encode([member.user, badge, key ?? ""]))
  }

  static func auditTarget(_ member: MemberID, _ badge: String, _ key: String?) -> String {
    "\(member.user) \(badge)" + (key.map { "[\($0)]" } ?? "")
  }
}
