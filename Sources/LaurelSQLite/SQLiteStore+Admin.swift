import GRDB
@_spi(StoreAdapter) public import Laurel
public import LaurelExpression

/// The admin store's reads: settings, audit log, leaderboards (from the
/// indexed `balances` and `earnings` tables), member pages and badge holders.
extension SQLiteStore {
  public func tierOverrides(scope: String?) async throws -> TierOverrides {
    try await writer.read { db in try StoreRows.tierOverrides(scope: scope, in: db) }
  }

  /// Every scope's tier overrides (what a replay of the log ranks under).
  public func tierOverridesByScope() async throws -> [String?: TierOverrides] {
    try await writer.read { db in try StoreRows.tierOverrides(in: db) }
  }

  public func settings(
    _ kind: SettingKey.Kind, scope: String?, prefix: String
  ) async throws -> [(key: SettingKey, value: String)] {
    try await writer.read { db in
      var sql = "SELECT name, value FROM settings WHERE kind = ? AND scope_key = ?"
      var arguments: StatementArguments = [kind.rawValue, SQLiteSchema.scopeKey(scope)]
      if !prefix.isEmpty {
        sql += " AND name >= ? AND name < ?"
        arguments += [prefix, prefix + "\u{10FFFF}"]
      }
      return try Row.fetchAll(db, sql: sql + " ORDER BY name", arguments: arguments).map {
        (SettingKey(kind, scope: scope, name: $0["name"]), $0["value"])
      }
    }
  }

  public func auditLog(limit: Int, offset: Int) async throws -> [AuditEntry] {
    try await writer.read { db in
      try Row.fetchAll(
        db,
        sql:
          "SELECT at, actor, operation, scope, target, before, after, reason FROM audit ORDER BY id DESC LIMIT ? OFFSET ?",
        arguments: [limit, offset]
      ).map { row in
        AuditEntry(
          actor: row["actor"], operation: row["operation"], scope: row["scope"], target: row["target"],
          before: row["before"], after: row["after"], reason: row["reason"], at: try Timestamp(seconds: row["at"]))
      }
    }
  }

  public func activity(of member: MemberID) async throws -> (first: Timestamp, last: Timestamp)? {
    try await writer.read { db in
      let row = try Row.fetchOne(
        db,
        sql:
          "SELECT min(at), max(at) FROM ledger WHERE member_id = (SELECT id FROM members WHERE scope_key = ? AND user = ?)",
        arguments: [SQLiteSchema.scopeKey(member.scope), member.user])
      guard let row, let first = row[0] as Int64?, let last = row[1] as Int64? else { return nil }
      return (try Timestamp(seconds: first), try Timestamp(seconds: last))
    }
  }

  public func memberPage(
    scope: String?, prefix: String, limit: Int, offset: Int
  ) async throws -> (total: Int, members: [(MemberID, MemberState)]) {
    var filter = "scope_key = ?"
    var arguments: StatementArguments = [SQLiteSchema.scopeKey(scope)]
    if !prefix.isEmpty {
      filter += " AND user >= ? AND user < ?"
      arguments += [prefix, prefix + "\u{10FFFF}"]
    }
    let page = arguments + [limit, offset]
    return try await writer.read { [self, filter, arguments] db in
      let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM members WHERE \(filter)", arguments: arguments) ?? 0
      let rows = try Row.fetchAll(
        db, sql: "SELECT scope, user, state FROM members WHERE \(filter) ORDER BY user LIMIT ? OFFSET ?",
        arguments: page)
      return (
        total,
        try rows.map { row in
          let id = MemberID(scope: row["scope"], user: row["user"])
          return (id, try SQLiteTransaction.decodeState(row["state"], member: id, layout: currentLayout))
        }
      )
    }
  }

  public func badgeHolders(_ badge: String, scope: String?, limit: Int, offset: Int) async throws -> [BadgeAward] {
    try await writer.read { db in
      var sql =
        "SELECT m.scope, m.user, b.key, b.at FROM badges b JOIN members m ON m.id = b.member_id WHERE b.badge = ?"
      var arguments: StatementArguments = [badge]
      if let scope {
        sql += " AND m.scope_key = ?"
        arguments += [SQLiteSchema.scopeKey(scope)]
      }
      return try Row.fetchAll(
        db, sql: sql + " ORDER BY b.at, m.scope_key, m.user, b.key LIMIT ? OFFSET ?",
        arguments: arguments + [limit, offset]
      ).map { row in
        let key: String = row["key"]
        return BadgeAward(
          member: MemberID(scope: row["scope"], user: row["user"]), badge: badge, key: key.isEmpty ? nil : key,
          at: try Timestamp(seconds: row["at"]))
      }
    }
  }

  public func outbox(after sequence: Int64, limit: Int) async throws -> [OutboxEvent] {
    try await writer.read { db in
      try Row.fetchAll(
        db,
        sql:
          "SELECT sequence, type, scope, user, at, at_nanos, data FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT ?",
        arguments: [sequence, max(0, limit)]
      ).map { row in
        OutboxEvent(
          sequence: row["sequence"], type: row["type"], scope: row["scope"], user: row["user"],
          at: try Timestamp(seconds: row["at"], nanos: Int32(clamping: row["at_nanos"] as Int64)), data: row["data"])
      }
    }
  }

  public func outboxEnd() async throws -> Int64 {
    try await writer.read { db in try Int64.fetchOne(db, sql: "SELECT max(sequence) FROM outbox") ?? 0 }
  }
}
