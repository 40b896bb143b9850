import Foundation
public import GRDB
public import Laurel
import LaurelExpression

/// Laurel's embedded store: SQLite through GRDB, one file, no server.
///
/// ```swift
/// let store = try SQLiteStore(path: "laurel.sqlite")
/// let engine = Engine(rules: rules, store: store)
/// try await engine.apply(json: line)
/// ```
///
/// Every action (or batch) is one SQLite transaction: its effects, its
/// ledger rows and its id commit together or not at all, and an id already
/// processed changes nothing, also after a restart. Files use WAL with
/// `synchronous=NORMAL` and a busy timeout, so several processes can share one.
public final class SQLiteStore: Store {
  public typealias Transaction = SQLiteTransaction

  private let writer: any DatabaseWriter
  private let cache = MemberCache()
  /// The database file (`:memory:` for an in-memory store).
  public let path: String

  /// Why a file cannot be used as a Laurel store.
  public struct OpenError: Error, CustomStringConvertible {
    public var description: String
  }

  /// Opens (creating if needed) the store at `path`; `:memory:` for a private in-memory database.
  public init(path: String, busyTimeout seconds: Double = 10) throws {
    self.path = path
    var configuration = Configuration()
    configuration.busyMode = .timeout(seconds)
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
    if path == ":memory:" {
      writer = try DatabaseQueue(configuration: configuration)
    } else {
      writer = try DatabasePool(path: path, configuration: configuration)
    }
    try Self.prepare(writer, path: path)
  }

  private static func prepare(_ writer: any DatabaseWriter, path: String) throws {
    let migrator = SQLiteSchema.migrator
    let foreign = try writer.read { db -> Bool in
      let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
      return !tables.isEmpty && !tables.contains("laurel_meta") && !tables.contains("grdb_migrations")
    }
    if foreign { throw OpenError(description: "\(path) is not a Laurel database (it has tables Laurel did not create)") }
    if try writer.read({ try migrator.hasBeenSuperseded($0) }) {
      throw OpenError(description: "\(path) was written by a newer version of Laurel; upgrade Laurel to open it")
    }
    try migrator.migrate(writer)
  }

  public func transaction<R>(_ body: (inout SQLiteTransaction) throws -> R) async throws -> R {
    try write(body)
  }

  /// The synchronous GRDB write: one SQLite transaction, rolled back if `body` throws.
  private func write<R>(_ body: (inout SQLiteTransaction) throws -> R) throws -> R {
    do {
      return try writer.write { db in
        var tx = SQLiteTransaction(db: db, cache: cache)
        let result = try body(&tx)
        try tx.flush()
        return result
      }
    } catch {
      cache.removeAll()
      throw error
    }
  }

  public func members() async throws -> [(MemberID, MemberState)] { try allMembers() }

  /// Every member, sorted by scope then user (synchronous form of ``members()``).
  public func allMembers() throws -> [(MemberID, MemberState)] {
    try writer.read { db in
      let decoder = JSONDecoder()
      return try Row.fetchAll(db, sql: "SELECT scope, user, state FROM members").map { row in
        let state = try decoder.decode(MemberState.self, from: Data((row["state"] as String).utf8))
        return (MemberID(scope: row["scope"], user: row["user"]), state)
      }.sorted { $0.0 < $1.0 }
    }
  }

  /// Keeps the text of the rule files the state was built with, so tools can
  /// read the store without being given the rules again.
  public func saveRuleFiles(_ files: [(path: String, text: String)]) throws {
    try writer.write { db in
      try db.execute(sql: "DELETE FROM rule_files")
      for file in files {
        try db.execute(sql: "INSERT INTO rule_files (path, text) VALUES (?, ?)", arguments: [file.path, file.text])
      }
    }
  }

  /// The rule files saved by ``saveRuleFiles(_:)``.
  public func ruleFiles() throws -> [(path: String, text: String)] {
    try writer.read { db in
      try Row.fetchAll(db, sql: "SELECT path, text FROM rule_files ORDER BY path").map { ($0["path"], $0["text"]) }
    }
  }

  /// The running counts of actions read, applied, duplicates, ignored and rejected
  /// (kept by ``SQLiteTransaction/add(_:)`` in the same transactions as the actions).
  public func eventCounts() throws -> EventCounts {
    try writer.read { db in
      var counts = EventCounts()
      for row in try Row.fetchAll(db, sql: "SELECT name, value FROM counts") {
        let value: Int = row["value"]
        switch row["name"] as String {
        case "read": counts.read = value
        case "applied": counts.applied = value
        case "duplicates": counts.duplicates = value
        case "ignored": counts.ignored = value
        default: counts.rejected = value
        }
      }
      return counts
    }
  }

  /// One member's state, if the member exists.
  public func state(of member: MemberID) throws -> MemberState? {
    try writer.read { db in
      guard
        let json = try String.fetchOne(
          db, sql: "SELECT state FROM members WHERE scope_key = ? AND user = ?",
          arguments: [SQLiteSchema.scopeKey(member.scope), member.user])
      else { return nil }
      return try JSONDecoder().decode(MemberState.self, from: Data(json.utf8))
    }
  }

  /// A member's applied amounts, newest first, `limit` per page.
  public func ledger(of member: MemberID, limit: Int = 50, offset: Int = 0) async throws -> [LedgerEntry] {
    try readLedger(of: member, limit: limit, offset: offset)
  }

  private func readLedger(of member: MemberID, limit: Int, offset: Int) throws -> [LedgerEntry] {
    try writer.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT l.currency, l.amount, l.balance, l.rule, l.action_id, l.at FROM ledger l
          JOIN members m ON m.id = l.member_id WHERE m.scope_key = ? AND m.user = ?
          ORDER BY l.id DESC LIMIT ? OFFSET ?
          """,
        arguments: [SQLiteSchema.scopeKey(member.scope), member.user, limit, offset]
      ).map { row in
        LedgerEntry(
          member: member, currency: row["currency"], amount: row["amount"], balance: row["balance"], rule: row["rule"],
          actionID: row["action_id"], at: try Timestamp(seconds: row["at"]))
      }
    }
  }
}
