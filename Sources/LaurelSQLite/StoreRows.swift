import Foundation
import GRDB
@_spi(StoreAdapter) import Laurel
import LaurelExpression

/// The statements that write an action's effects, shared by the transaction
/// the engine runs in (``SQLiteTransaction``) and the writer of batches
/// planned ahead (``BatchPlan``), so both write exactly the same rows.
enum StoreRows {
  /// Logs an action; false when its id is logged already (a duplicate).
  static func insertAction(_ action: PreparedAction, rulesVersion: Int64?, in db: Database) throws -> Bool {
    let insert = try DirectStatement(
      db, "INSERT INTO actions (id, type, at, body, rules_version) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")
    insert.bind(1, action.id)
    insert.bind(2, action.type)
    insert.bind(3, action.at.seconds)
    insert.bind(4, action.source)
    insert.bind(5, rulesVersion)
    return try insert.run() == 1
  }

  /// A new member's row; returns its row id.
  static func insertMember(_ member: MemberID, state: [UInt8], now: Int64, in db: Database) throws -> Int64 {
    let insert = try DirectStatement(
      db, "INSERT INTO members (scope, scope_key, user, state, updated_at) VALUES (?, ?, ?, ?, ?)")
    insert.bind(1, member.scope)
    insert.bind(2, SQLiteSchema.scopeKey(member.scope))
    insert.bind(3, member.user)
    insert.bind(4, blob: state)
    insert.bind(5, now)
    try insert.run()
    return db.lastInsertedRowID
  }

  /// Replaces a member's state if its version is still `version`; false when
  /// someone changed the member since it was read.
  static func updateMember(
    row: Int64, ifVersion version: Int64, state: [UInt8], now: Int64, in db: Database
  ) throws -> Bool {
    let update = try DirectStatement(
      db, "UPDATE members SET state = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?")
    update.bind(1, blob: state)
    update.bind(2, now)
    update.bind(3, row)
    update.bind(4, version)
    return try update.run() == 1
  }

  /// A member row's version (nil: no such row).
  static func version(ofMember row: Int64, in db: Database) throws -> Int64? {
    let select = try DirectStatement(db, "SELECT version FROM members WHERE id = ?")
    select.bind(1, row)
    return try select.first { $0.int64(0) }
  }

  /// Records a once-per key; false when the member had claimed it already.
  static func insertOnce(member row: Int64, rule: Int, key: String, in db: Database) throws -> Bool {
    let insert = try DirectStatement(db, "INSERT OR IGNORE INTO once_keys (member_id, rule, key) VALUES (?, ?, ?)")
    insert.bind(1, row)
    insert.bind(2, Int64(rule))
    insert.bind(3, key)
    return try insert.run() == 1
  }

  /// Appends ledger rows; `row` gives each entry's member row (nil: skip the entry).
  /// (The leaderboards' tables catch up with them later, see ``StandingsTables``.)
  static func insertLedger(
    _ entries: [LedgerEntry], rulesVersion: Int64?, in db: Database, row: (LedgerEntry) -> Int64?
  ) throws {
    let insert = try DirectStatement(
      db,
      "INSERT INTO ledger (member_id, currency, amount, balance, rule, action_id, at, rules_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    for entry in entries {
      guard let member = row(entry) else { continue }
      insert.bind(1, member)
      insert.bind(2, entry.currency)
      insert.bind(3, entry.amount)
      insert.bind(4, entry.balance)
      insert.bind(5, entry.rule)
      insert.bind(6, entry.actionID)
      insert.bind(7, entry.at.seconds)
      insert.bind(8, rulesVersion)
      try insert.run()
    }
  }

  /// Stores a setting, or deletes it when `value` is nil.
  static func setSetting(_ key: SettingKey, to value: String?, in db: Database) throws {
    if let value {
      let upsert = try DirectStatement(
        db,
        "INSERT INTO settings (kind, scope_key, scope, name, value) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, scope_key, name) DO UPDATE SET value = excluded.value"
      )
      upsert.bind(1, key.kind.rawValue)
      upsert.bind(2, SQLiteSchema.scopeKey(key.scope))
      upsert.bind(3, key.scope)
      upsert.bind(4, key.name)
      upsert.bind(5, value)
      try upsert.run()
    } else {
      let delete = try DirectStatement(db, "DELETE FROM settings WHERE kind = ? AND scope_key = ? AND name = ?")
      delete.bind(1, key.kind.rawValue)
      delete.bind(2, SQLiteSchema.scopeKey(key.scope))
      delete.bind(3, key.name)
      try delete.run()
    }
  }

  /// A setting's value, or nil.
  static func setting(_ key: SettingKey, in db: Database) throws -> String? {
    let select = try DirectStatement(db, "SELECT value FROM settings WHERE kind = ? AND scope_key = ? AND name = ?")
    select.bind(1, key.kind.rawValue)
    select.bind(2, SQLiteSchema.scopeKey(key.scope))
    select.bind(3, key.name)
    return try select.first { $0.string(0) }
  }

  /// Every scope's tier overrides.
  static func tierOverrides(in db: Database) throws -> [String?: TierOverrides] {
    TierOverrides.byScope(
      try Row.fetchAll(db, sql: "SELECT scope, name, value FROM settings WHERE kind = 'tiers'").map {
        ($0["scope"] as String?, $0["name"] as String, $0["value"] as String)
      })
  }

  /// One scope's tier overrides.
  static func tierOverrides(scope: String?, in db: Database) throws -> TierOverrides {
    let statement = try db.cachedStatement(
      sql: "SELECT scope, name, value FROM settings WHERE kind = 'tiers' AND scope_key = ?")
    let rows = try Row.fetchAll(statement, arguments: [SQLiteSchema.scopeKey(scope)]).map {
      ($0["scope"] as String?, $0["name"] as String, $0["value"] as String)
    }
    return rows.isEmpty ? TierOverrides() : TierOverrides.byScope(rows)[scope] ?? TierOverrides()
  }

  /// Appends an audit entry.
  static func appendAudit(_ entry: AuditEntry, in db: Database) throws {
    try db.execute(
      sql:
        "INSERT INTO audit (at, actor, operation, scope, target, before, after, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      arguments: [
        entry.at.seconds, entry.actor, entry.operation, entry.scope, entry.target, entry.before, entry.after,
        entry.reason,
      ])
  }

  /// Appends events to the outbox (numbered by SQLite, after the newest ever).
  static func enqueue(_ events: [OutboxEvent], in db: Database) throws {
    let statement = try db.cachedStatement(
      sql: "INSERT INTO outbox (type, scope, user, at, at_nanos, data) VALUES (?, ?, ?, ?, ?, ?)")
    for event in events {
      try statement.execute(arguments: [
        event.type, event.scope, event.user, event.at.seconds, Int64(event.at.nanos), event.data,
      ])
    }
  }

  /// Records a badge earned (once per member, badge and key).
  static func insertBadge(
    _ award: BadgeAward, member row: Int64, actionID: String, rulesVersion: Int64?, in db: Database
  ) throws {
    let insert = try DirectStatement(
      db, "INSERT OR IGNORE INTO badges (member_id, badge, key, at, action_id, rules_version) VALUES (?, ?, ?, ?, ?, ?)"
    )
    insert.bind(1, row)
    insert.bind(2, award.badge)
    insert.bind(3, award.key ?? "")
    insert.bind(4, award.at.seconds)
    insert.bind(5, actionID)
    insert.bind(6, rulesVersion)
    try insert.run()
  }

  /// Adds to the running action counts.
  static func add(_ counts: EventCounts, in db: Database) throws {
    for (name, value) in counts.named where value != 0 {
      let upsert = try DirectStatement(
        db,
        "INSERT INTO counts (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value")
      upsert.bind(1, name)
      upsert.bind(2, Int64(value))
      try upsert.run()
    }
  }
}
