import Foundation
public import GRDB
public import Laurel
import LaurelExpression

/// One SQLite transaction as the engine sees it: members are loaded on first
/// use into a working set and written back, with ledger rows and once-per
/// keys, when the store commits.
public struct SQLiteTransaction: StateTransaction {
  public typealias Failure = any Error

  private let db: Database
  private let cache: MemberCache
  private var ids: [MemberID] = []
  private var rowIDs: [Int64?] = []
  private var versions: [Int64] = []
  private var states: [MemberState] = []
  private var dirty: [Bool] = []
  private var handles: [MemberID: Int] = [:]
  /// Once-per keys of members not yet in the database ("handle rule key").
  private var pendingOnce: Set<String> = []
  private var pendingOnceRows: [(handle: Int, rule: Int, key: String)] = []
  private var ledger: [(handle: Int, entry: LedgerEntry)] = []
  private var scheme = ""
  private let encoder = JSONEncoder()
  private let decoder = JSONDecoder()

  init(db: Database, cache: MemberCache) {
    self.db = db
    self.cache = cache
  }

  public mutating func claimAction(_ actionID: String) throws -> Bool {
    try db.cachedStatement(sql: "INSERT OR IGNORE INTO processed_actions (id) VALUES (?)").execute(arguments: [actionID])
    return db.changesCount == 1
  }

  public mutating func releaseAction(_ actionID: String) throws {
    try db.cachedStatement(sql: "DELETE FROM processed_actions WHERE id = ?").execute(arguments: [actionID])
  }

  public mutating func existingMember(_ id: MemberID) throws -> Int? {
    if let h = handles[id] { return h }
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(sql: "SELECT id, version FROM members WHERE scope_key = ? AND user = ?"),
        arguments: [SQLiteSchema.scopeKey(id.scope), id.user])
    else { return nil }
    let rowID: Int64 = row["id"]
    let version: Int64 = row["version"]
    // The cached state is only used when no writer (in any process) changed the row since.
    if let cached = cache.entry(id), cached.rowID == rowID, cached.version == version {
      return add(id, rowID: rowID, version: version, state: cached.state, dirty: false)
    }
    guard let json = try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM members WHERE id = ?"), arguments: [rowID]) else {
      return nil
    }
    let state = try decoder.decode(MemberState.self, from: Data(json.utf8))
    cache.store(id, rowID: rowID, version: version, state: state)
    return add(id, rowID: rowID, version: version, state: state, dirty: false)
  }

  public mutating func member(_ id: MemberID, initial: () -> MemberState) throws -> Int {
    if let h = try existingMember(id) { return h }
    return add(id, rowID: nil, version: 0, state: initial(), dirty: true)
  }

  private mutating func add(_ id: MemberID, rowID: Int64?, version: Int64, state: MemberState, dirty isDirty: Bool) -> Int {
    let h = ids.count
    ids.append(id)
    rowIDs.append(rowID)
    versions.append(version)
    states.append(state)
    dirty.append(isDirty)
    handles[id] = h
    return h
  }

  public mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R {
    let before = states[handle]
    let result = body(&states[handle])
    if states[handle] != before { dirty[handle] = true }
    return result
  }

  public mutating func claimOnce(_ handle: Int, rule: Int, key: String) throws -> Bool {
    guard let rowID = rowIDs[handle] else {
      guard pendingOnce.insert("\(handle) \(rule) \(key)").inserted else { return false }
      pendingOnceRows.append((handle, rule, key))
      return true
    }
    try db.cachedStatement(sql: "INSERT OR IGNORE INTO once_keys (member_id, rule, key) VALUES (?, ?, ?)")
      .execute(arguments: [rowID, rule, key])
    return db.changesCount == 1
  }

  public mutating func record(_ outcome: Outcome, handles: [Int]) throws {
    for (entry, handle) in zip(outcome.ledger, handles) where handle >= 0 { ledger.append((handle, entry)) }
  }

  /// Adds to the store's running action counts, in this transaction.
  public mutating func add(_ counts: EventCounts) throws {
    for (name, value) in [
      ("read", counts.read), ("applied", counts.applied), ("duplicates", counts.duplicates),
      ("ignored", counts.ignored), ("rejected", counts.rejected),
    ] where value != 0 {
      try db.execute(
        sql: "INSERT INTO counts (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
        arguments: [name, value])
    }
  }

  /// Writes changed members, then the once-per keys and ledger rows that refer to them.
  mutating func flush() throws {
    for h in ids.indices where dirty[h] {
      let json = String(decoding: try encoder.encode(states[h]), as: UTF8.self)
      if let rowID = rowIDs[h] {
        try db.cachedStatement(sql: "UPDATE members SET state = ?, version = version + 1, updated_at = ? WHERE id = ?")
          .execute(arguments: [json, Self.now(), rowID])
        versions[h] += 1
      } else {
        try db.cachedStatement(sql: "INSERT INTO members (scope, scope_key, user, state, updated_at) VALUES (?, ?, ?, ?, ?)")
          .execute(arguments: [ids[h].scope, SQLiteSchema.scopeKey(ids[h].scope), ids[h].user, json, Self.now()])
        rowIDs[h] = db.lastInsertedRowID
      }
      // If this transaction rolls back, the row keeps its old version and the entry is ignored.
      cache.store(ids[h], rowID: rowIDs[h]!, version: versions[h], state: states[h])
    }
    for (handle, rule, key) in pendingOnceRows {
      guard let rowID = rowIDs[handle] else { continue }
      try db.cachedStatement(sql: "INSERT OR IGNORE INTO once_keys (member_id, rule, key) VALUES (?, ?, ?)")
        .execute(arguments: [rowID, rule, key])
    }
    let insert = try db.cachedStatement(
      sql: "INSERT INTO ledger (member_id, currency, amount, balance, rule, action_id, at, scheme) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
    for (handle, entry) in ledger {
      guard let rowID = rowIDs[handle] else { continue }
      try insert.execute(arguments: [
        rowID, entry.currency, entry.amount, entry.balance, entry.rule, entry.actionID, entry.at.seconds, scheme,
      ])
    }
  }

  private static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
