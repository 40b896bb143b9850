import Foundation
import GRDB
@_spi(StoreAdapter) import Laurel

/// The database schema, as GRDB migrations. A database written by an older
/// Laurel migrates forward; one with migrations this version does not know
/// (written by a newer Laurel) is refused.
enum SQLiteSchema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE laurel_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
          INSERT INTO laurel_meta (key, value) VALUES ('format', 'laurel');
          CREATE TABLE members (
            id INTEGER PRIMARY KEY,
            scope TEXT,                 -- NULL for a global scheme
            scope_key TEXT NOT NULL,    -- 'g' for global, 's:' || scope otherwise (NULLs are never equal in UNIQUE)
            user TEXT NOT NULL,
            state TEXT NOT NULL,        -- the member's state (JSON in v1; a binary MemberState BLOB since v2)
            version INTEGER NOT NULL DEFAULT 0,  -- bumped on every write; validates in-process caches
            updated_at INTEGER NOT NULL,
            UNIQUE (scope_key, user)
          );
          CREATE TABLE ledger (
            id INTEGER PRIMARY KEY,
            member_id INTEGER NOT NULL REFERENCES members(id),
            currency TEXT NOT NULL,
            amount INTEGER NOT NULL,
            balance INTEGER NOT NULL,
            rule TEXT NOT NULL,
            action_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            scheme TEXT NOT NULL
          );
          CREATE INDEX ledger_by_member ON ledger (member_id, id);
          CREATE TABLE processed_actions (id TEXT PRIMARY KEY) WITHOUT ROWID;
          CREATE TABLE rule_files (path TEXT PRIMARY KEY, text TEXT NOT NULL);
          CREATE TABLE counts (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
          CREATE TABLE once_keys (
            member_id INTEGER NOT NULL REFERENCES members(id),
            rule INTEGER NOT NULL,
            key TEXT NOT NULL,
            PRIMARY KEY (member_id, rule, key)
          ) WITHOUT ROWID;
          """)
    }
    migrator.registerMigration("v2") { db in
      // The action log replaces the bare id table; ledger rows name the rule
      // files' version instead of an unused scheme column; member states
      // move from JSON to the compact binary form.
      try db.execute(
        sql: """
          CREATE TABLE rule_versions (
            id INTEGER PRIMARY KEY,
            digest TEXT NOT NULL UNIQUE,  -- of the rule files' paths and text
            saved_at INTEGER NOT NULL
          );
          CREATE TABLE actions (
            seq INTEGER PRIMARY KEY,      -- order of arrival
            id TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            at INTEGER NOT NULL,
            body TEXT,                    -- the action's JSON as received (NULL for actions logged before v2)
            rules_version INTEGER REFERENCES rule_versions(id)
          );
          INSERT INTO actions (id, type, at) SELECT id, '', 0 FROM processed_actions;
          DROP TABLE processed_actions;
          ALTER TABLE ledger ADD COLUMN rules_version INTEGER REFERENCES rule_versions(id);
          ALTER TABLE ledger DROP COLUMN scheme;
          """)
      let decoder = JSONDecoder()
      var bytes: [UInt8] = []
      for row in try Row.fetchAll(db, sql: "SELECT id, state FROM members") {
        let state = try decoder.decode(MemberState.self, from: Data((row["state"] as String).utf8))
        bytes.removeAll(keepingCapacity: true)
        state.encode(into: &bytes)
        try db.execute(
          sql: "UPDATE members SET state = ?, version = version + 1 WHERE id = ?",
          arguments: [Data(bytes), row["id"] as Int64])
      }
    }
    migrator.registerMigration("v3") { db in
      // Badges earned, one row each, so they can be queried without decoding
      // member states. Badges earned before v3 stay in the member states only
      // (their names are in the rules, which the file does not compile).
      try db.execute(
        sql: """
          CREATE TABLE badges (
            member_id INTEGER NOT NULL REFERENCES members(id),
            badge TEXT NOT NULL,
            key TEXT NOT NULL,            -- '' for a badge earned once per member
            at INTEGER NOT NULL,
            action_id TEXT NOT NULL,
            rules_version INTEGER REFERENCES rule_versions(id),
            PRIMARY KEY (member_id, badge, key)
          ) WITHOUT ROWID;
          CREATE INDEX badges_by_name ON badges (badge, key);
          """)
    }
    migrator.registerMigration("v4") { db in
      // Runtime administration and read models: admin settings (tier
      // overrides, gate requirements, catalogue badges, grants) and their
      // audit log; each member's latest balance per currency, and net
      // amounts per UTC day, indexed for leaderboards (folded from the
      // ledger when a leaderboard is read: StandingsTables). Keys lead with
      // the scope, so that a store sharded by community keeps a scope together.
      try db.execute(
        sql: """
          CREATE TABLE settings (
            kind TEXT NOT NULL,
            scope_key TEXT NOT NULL,
            scope TEXT,
            name TEXT NOT NULL,
            value TEXT NOT NULL,          -- JSON
            PRIMARY KEY (kind, scope_key, name)
          ) WITHOUT ROWID;
          CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            operation TEXT NOT NULL,
            scope TEXT,
            target TEXT NOT NULL,
            before TEXT,
            after TEXT,
            reason TEXT
          );
          CREATE TABLE balances (
            scope_key TEXT NOT NULL,
            currency TEXT NOT NULL,
            member_id INTEGER NOT NULL REFERENCES members(id),
            user TEXT NOT NULL,           -- the member's, so the ranking index orders ties too
            amount INTEGER NOT NULL,
            PRIMARY KEY (member_id, currency)
          ) WITHOUT ROWID;
          CREATE INDEX balances_ranking ON balances (scope_key, currency, amount DESC, user);
          CREATE TABLE boards (           -- a scope and currency, numbered for compact earnings rows
            id INTEGER PRIMARY KEY,
            scope_key TEXT NOT NULL,
            currency TEXT NOT NULL,
            UNIQUE (scope_key, currency)
          );
          CREATE TABLE earnings (
            board INTEGER NOT NULL REFERENCES boards(id),
            day INTEGER NOT NULL,         -- UTC days since 1970-01-01 of the actions' times
            member_id INTEGER NOT NULL REFERENCES members(id),
            amount INTEGER NOT NULL,      -- net: awards minus deductions
            PRIMARY KEY (board, day, member_id)
          ) WITHOUT ROWID;
          """)
    }
    migrator.registerMigration("v5") { db in
      // The outbox `laurel serve` delivers webhooks and event streams from:
      // member events appended in the transaction of the change they report.
      try db.execute(
        sql: """
          CREATE TABLE outbox (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            type TEXT NOT NULL,
            scope TEXT,
            user TEXT NOT NULL,
            at INTEGER NOT NULL,
            at_nanos INTEGER NOT NULL,
            data TEXT NOT NULL            -- JSON
          );
          """)
    }
    return migrator
  }

  static func scopeKey(_ scope: String?) -> String { scope.map { "s:" + $0 } ?? "g" }
}
