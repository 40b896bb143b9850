/// One page of members, and how many match in all.
public struct MemberPage: Sendable, Equatable {
  public var total: Int
  public var members: [MemberProfile]
}

extension Engine where S: AdminStore {
  /// Members of `scope` whose user id starts with `prefix` (all when empty),
  /// sorted by user, one page (admins' member list, seed 000 `GET /admin/users`).
  public func members(scope: String?, prefix: String = "", limit: Int = 50, offset: Int = 0) async throws -> MemberPage
  {
    let overrides = try await overrides(scope)
    let (total, page) = try await store.memberPage(
      scope: scope, prefix: prefix, limit: max(0, limit), offset: max(0, offset))
    return MemberPage(total: total, members: page.map { rules.profile(of: $0.0, state: $0.1, overrides: overrides) })
  }

  /// Members holding `badge` (of the rules or the catalogue), earliest first;
  /// of `scope`, or of every scope when nil.
  ///
  /// - Throws: ``QueryError`` for a badge neither the rules nor the catalogue know.
  public func badgeHolders(
    _ badge: String, scope: String?, limit: Int = 50, offset: Int = 0
  ) async throws
    -> [BadgeAward]
  {
    guard try await catalogueBadge(badge) != nil else {
      throw QueryError(.unknownName, "unknown badge '\(badge)'")
    }
    return try await store.badgeHolders(badge, scope: scope, limit: max(0, limit), offset: max(0, offset))
  }

  /// Members of `scope` with `key` of progress map `progress` in `state`
  /// (seed 000's `GET /admin/modules/{id}/users`), or in any state but the
  /// first when `state` is nil, sorted by user, with that state.
  ///
  /// - Throws: ``QueryError`` for an unknown progress map or state.
  public func members(
    scope: String?, progress: String, key: String, state: String? = nil
  ) async throws -> [(member: MemberID, state: String)] {
    guard let index = rules.progress.firstIndex(where: { $0.name == progress }) else {
      throw QueryError(.unknownName, "unknown progress map '\(progress)'")
    }
    let states = rules.progress[index].states
    if let state, !states.contains(state) {
      throw QueryError(
        .unknownName, "progress map '\(progress)' has no state '\(state)'; it has \(states.joined(separator: ", "))")
    }
    return try await store.members(inScope: scope).compactMap { id, member in
      guard index < member.progress.count, let value = member.progress[index][key], Int(value) < states.count,
        value > 0 || state == states.first
      else { return nil }
      let name = states[Int(value)]
      guard state == nil || state == name else { return nil }
      return (id, name)
    }
  }

  /// A member's applied amounts, newest first, one page.
  public func ledger(of member: MemberID, limit: Int = 50, offset: Int = 0) async throws -> [LedgerEntry] {
    try await store.ledger(of: member, limit: max(0, limit), offset: max(0, offset))
  }

  /// The audit log, newest first, one page.
  public func auditLog(limit: Int = 50, offset: Int = 0) async throws -> [AuditEntry] {
    try await store.auditLog(limit: max(0, limit), offset: max(0, offset))
  }
}
