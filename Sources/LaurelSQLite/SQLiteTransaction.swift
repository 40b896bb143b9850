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
  private var ids: [MemberID] = []
  private var rowIDs: [Int64?] = []
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

  init(db: Database) { self.db = db }

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
        db.cachedStatement(sql: "SELECT id, state FROM members WHERE scope_key = ? AND user = ?"),
        arguments: [SQLiteSchema.scopeKey(id.scope), id.user])
    else { return nil }
    let state = try decoder.decode(MemberState.self, from: Data((row["state"] as String).utf8))
    return add(id, rowID: row["id"], state: state, dirty: false)
  }

  public mutating func member(_ id: MemberID, initial: () -> MemberState) throws -> Int {
    if let h = try existingMember(id) { return h }
    return add(id, rowID: nil, state: initial(), dirty: true)
  }

  private mutating func add(_ id: MemberID, rowID: Int64?, state: MemberState, dirty isDirty: Bool) -> Int {
    let h = ids.count
    ids.append(id)
    rowIDs.append(rowID)
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
        try db.cachedStatement(sql: "UPDATE members SET state = ?, updated_at = ? WHERE id = ?")
          .execute(arguments: [json, Self.now(), rowID])
      } else {
        try db.cachedStatement(sql: "INSERT INTO members (scope, scope_key, user, state, updated_at) VALUES (?, ?, ?, ?, ?)")
          .execute(arguments: [ids[h].scope, SQLiteSchema.scopeKey(ids[h].scope), ids[h].user, json, Self.now()])
        rowIDs[h] = db.lastInsertedRowID
      }
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
