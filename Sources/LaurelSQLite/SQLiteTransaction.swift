import Foundation
import GRDB
@_spi(StoreAdapter) public import Laurel
import LaurelExpression

/// One SQLite transaction as the engine sees it: members are loaded on first
/// use into a working set and written back, with ledger rows and once-per
/// keys, when the store commits.
///
/// Member states come from the store's ``MemberCache`` when it is known to
/// match the file (no other connection committed since this one last did),
/// else from the row, checked against its version.
public struct SQLiteTransaction: AdminTransaction {
  public typealias Failure = any Error

  private let db: Database
  private let cache: MemberCache
  private let overrideCache: OverrideCache
  /// Whether this transaction wrote a tier setting (the store then empties
  /// its ``OverrideCache`` after the commit).
  private(set) var changedTiers = false
  /// Whether another connection wrote the file since this process last did.
  let freshness: MemberCache.Freshness
  /// True when no other connection wrote the file since this process last did.
  private var cacheIsCurrent: Bool { freshness == .current }
  private var ids: [MemberKey] = []
  private var rowIDs: [Int64?] = []
  private var versions: [Int64] = []
  private var states: [MemberState] = []
  private var dirty: [Bool] = []
  private var handles: [MemberKey: Int] = [:]
  /// Once-per keys of members not yet in the database ("handle rule key").
  private var pendingOnce: Set<String> = []
  private var pendingOnceRows: [(handle: Int, rule: Int, key: String)] = []
  private var ledger: [LedgerEntry] = []
  /// Badges earned, with the member's handle and the action's id.
  private var badges: [(handle: Int, award: BadgeAward, actionID: String)] = []
  private let rulesVersion: Int64?
  /// The layout stored states must have (nil: not recorded).
  private let layout: StateLayout?
  private var buffer: [UInt8] = []
  /// Members read ahead for the batch's footprint (see ``readAhead(_:)``):
  /// row, version and state, or nil for a member the file does not hold.
  private var readAhead: [MemberKey: (rowID: Int64, version: Int64, state: MemberState)?] = [:]

  init(
    db: Database, cache: MemberCache, overrides: OverrideCache, freshness: MemberCache.Freshness,
    rulesVersion: Int64?, layout: StateLayout?
  ) {
    self.layout = layout
    self.db = db
    self.cache = cache
    overrideCache = overrides
    self.freshness = freshness
    self.rulesVersion = rulesVersion
  }

  public mutating func claimAction(_ action: PreparedAction) throws -> Bool {
    try StoreRows.insertAction(action, rulesVersion: rulesVersion, in: db)
  }

  public mutating func releaseAction(_ actionID: String) throws {
    let delete = try DirectStatement(db, "DELETE FROM actions WHERE id = ?")
    delete.bind(1, actionID)
    try delete.run()
  }

  public mutating func existingMember(_ key: MemberKey) throws -> Int? {
    if let h = handles[key] { return h }
    if cacheIsCurrent, let trusted = cache.trustedEntry(key), let rowID = trusted.rowID {
      return add(key, rowID: rowID, version: trusted.version, state: trusted.state, dirty: false)
    }
    if let ahead = readAhead[key] {
      guard let (rowID, version, state) = ahead else { return nil }
      return add(key, rowID: rowID, version: version, state: state, dirty: false)
    }
    let cached = cache.entry(key)
    let select = try DirectStatement(db, "SELECT id, version, state FROM members WHERE scope_key = ? AND user = ?")
    select.bind(1, SQLiteSchema.scopeKey(key.id.scope))
    select.bind(2, key.id.user)
    let found = try select.first { row -> (Int64, Int64, MemberState?) in
      let rowID = row.int64(0)
      let version = row.int64(1)
      // A cached state is used only when no writer (in any process) changed the row since.
      if let cached, cached.rowID == rowID, cached.version == version { return (rowID, version, nil) }
      return (rowID, version, try Self.decodeState(row.blob(2), member: key.id, layout: layout))
    }
    guard let (rowID, version, read) = found else { return nil }
    let state = read ?? cached!.state
    // Checked against its row now: trusted again in this generation.
    cache.store(key, rowID: rowID, version: version, state: state)
    return add(key, rowID: rowID, version: version, state: state, dirty: false)
  }

  /// A stored state (binary since schema v2), checked against the layout
  /// of the rules the store was written under when one is known.
  static func decodeState(_ bytes: UnsafeRawBufferPointer, member: MemberID, layout: StateLayout?) throws -> MemberState
  {
    let state: MemberState
    do {
      state = try MemberState(binary: bytes)
    } catch {
      throw SQLiteStore.OpenError(
        kind: .damaged, description: "the stored state of member \(member) is damaged: \(error)")
    }
    if let layout, !layout.admits(state) {
      throw SQLiteStore.OpenError(
        kind: .damaged,
        description:
          "the stored state of member \(member) does not match the store's rules (\(layout.scheme)); it was written under other rules"
      )
    }
    return state
  }

  /// A stored state read through GRDB.
  static func decodeState(_ value: DatabaseValue, member: MemberID, layout: StateLayout?) throws -> MemberState {
    guard let data = Data.fromDatabaseValue(value) else {
      throw SQLiteStore.OpenError(kind: .damaged, description: "the stored state of member \(member) is not a blob")
    }
    return try data.withUnsafeBytes { try decodeState($0, member: member, layout: layout) }
  }

  /// Fewer members than this are not read ahead (see ``readAhead(_:)``).
  static let smallestReadAhead = 16

  /// Reads the footprint's members that the cache cannot vouch for in one
  /// statement per 400 members (each term a lookup in the members' unique
  /// index), inside this transaction, so what it reads stays true until the
  /// commit, instead of one query each on first use.
  mutating func readAhead(_ footprint: BatchFootprint) throws {
    var wanted: [MemberKey] = []
    for id in footprint.members {
      let key = MemberKey(id)
      if cacheIsCurrent, cache.trustedEntry(key)?.rowID != nil { continue }
      if readAhead[key] == nil, handles[key] == nil { wanted.append(key) }
    }
    // In process, a lookup costs no round trip: a few members are cheaper
    // looked up one by one when first used (the single-action commit path).
    guard wanted.count >= Self.smallestReadAhead else { return }
    // Absent from the file unless the query finds them.
    for key in wanted { readAhead.updateValue(nil, forKey: key) }
    var start = 0
    while start < wanted.count {
      let part = wanted[start..<min(start + 400, wanted.count)]
      start = part.endIndex
      var arguments = StatementArguments()
      for key in part { arguments += [SQLiteSchema.scopeKey(key.id.scope), key.id.user] }
      // Cached per length: a batch of one action asks for one to three members, every time.
      let select = try db.cachedStatement(
        sql: "SELECT id, version, state, scope, user FROM members WHERE "
          + repeatElement("(scope_key = ? AND user = ?)", count: part.count).joined(separator: " OR "))
      let rows = try Row.fetchCursor(select, arguments: arguments)
      while let row = try rows.next() {
        let key = MemberKey(MemberID(scope: row["scope"], user: row["user"]))
        let rowID: Int64 = row["id"]
        let version: Int64 = row["version"]
        readAhead[key] = (rowID, version, try rowState(key, rowID: rowID, version: version, row["state"]))
      }
    }
  }

  /// A member row's state: the cached one when the cache holds this row at
  /// this version, else decoded from `value`. Checked against its row now,
  /// the cache trusts it again in this generation.
  private func rowState(_ key: MemberKey, rowID: Int64, version: Int64, _ value: DatabaseValue) throws -> MemberState {
    let state: MemberState
    if let cached = cache.entry(key), cached.rowID == rowID, cached.version == version {
      state = cached.state
    } else {
      state = try Self.decodeState(value, member: key.id, layout: layout)
    }
    cache.store(key, rowID: rowID, version: version, state: state)
    return state
  }

  public mutating func member(_ key: MemberKey, initial: () -> MemberState) throws -> Int {
    if let h = try existingMember(key) { return h }
    return add(key, rowID: nil, version: 0, state: initial(), dirty: true)
  }

  private mutating func add(
    _ key: MemberKey, rowID: Int64?, version: Int64, state: MemberState, dirty isDirty: Bool
  ) -> Int {
    let h = ids.count
    ids.append(key)
    rowIDs.append(rowID)
    versions.append(version)
    states.append(state)
    dirty.append(isDirty)
    handles[key] = h
    return h
  }

  public mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R {
    dirty[handle] = true
    return body(&states[handle])
  }

  public mutating func readMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R {
    body(&states[handle])
  }

  public mutating func claimOnce(_ handle: Int, rule: Int, key: String) throws -> Bool {
    guard let rowID = rowIDs[handle] else {
      guard pendingOnce.insert("\(handle) \(rule) \(key)").inserted else { return false }
      pendingOnceRows.append((handle, rule, key))
      return true
    }
    return try StoreRows.insertOnce(member: rowID, rule: rule, key: key, in: db)
  }

  public mutating func record(_ outcome: Outcome) throws {
    ledger.append(contentsOf: outcome.ledger.lazy.filter { $0.memberHandle >= 0 })
    for award in outcome.badges {
      guard let handle = handles[MemberKey(award.member)] else { continue }
      badges.append((handle, award, outcome.actionID))
    }
  }

  public mutating func tierOverrides(scope: String?) throws -> TierOverrides? {
    try overrideCache.overrides(scope) { [db] in try StoreRows.tierOverrides(in: db) }
  }

  public mutating func setting(_ key: SettingKey) throws -> String? { try StoreRows.setting(key, in: db) }

  public mutating func setSetting(_ key: SettingKey, to value: String?) throws {
    try StoreRows.setSetting(key, to: value, in: db)
    if key.kind == .tiers {
      changedTiers = true
      overrideCache.removeAll()
    }
  }

  /// Reads every member of the scope in one statement (states the cache
  /// vouches for are not decoded again).
  public mutating func loadMembers(inScope scope: String?) throws -> [(member: MemberID, handle: Int)] {
    var result: [(member: MemberID, handle: Int)] = []
    let rows = try Row.fetchCursor(
      db.cachedStatement(sql: "SELECT id, version, state, user FROM members WHERE scope_key = ? ORDER BY user"),
      arguments: [SQLiteSchema.scopeKey(scope)])
    while let row = try rows.next() {
      let id = MemberID(scope: scope, user: row["user"])
      let key = MemberKey(id)
      if let h = handles[key] {
        result.append((id, h))
        continue
      }
      let rowID: Int64 = row["id"]
      let version: Int64 = row["version"]
      let state = try rowState(key, rowID: rowID, version: version, row["state"])
      result.append((id, add(key, rowID: rowID, version: version, state: state, dirty: false)))
    }
    return result
  }

  public mutating func appendAudit(_ entry: AuditEntry) throws { try StoreRows.appendAudit(entry, in: db) }

  public mutating func enqueue(_ events: [OutboxEvent]) throws { try StoreRows.enqueue(events, in: db) }

  public mutating func removeBadge(_ handle: Int, badge: String, key: String?) throws {
    badges.removeAll { $0.handle == handle && $0.award.badge == badge && $0.award.key == key }
    guard let rowID = rowIDs[handle] else { return }
    let delete = try DirectStatement(db, "DELETE FROM badges WHERE member_id = ? AND badge = ? AND key = ?")
    delete.bind(1, rowID)
    delete.bind(2, badge)
    delete.bind(3, key ?? "")
    try delete.run()
  }

  /// Adds to the store's running action counts, in this transaction.
  public mutating func add(_ counts: EventCounts) throws { try StoreRows.add(counts, in: db) }

  /// A member's row no longer had the version its state was read at: the
  /// transaction is rolled back and run again (see ``SQLiteStore``).
  struct MemberChanged: Error {}

  /// Writes changed members, then the once-per keys and ledger rows that refer to them.
  mutating func flush() throws {
    let now = Int64(Date().timeIntervalSince1970)
    for h in ids.indices where dirty[h] {
      buffer.removeAll(keepingCapacity: true)
      states[h].encode(into: &buffer)
      if let rowID = rowIDs[h] {
        guard try StoreRows.updateMember(row: rowID, ifVersion: versions[h], state: buffer, now: now, in: db) else {
          throw MemberChanged()
        }
        versions[h] += 1
      } else {
        rowIDs[h] = try StoreRows.insertMember(ids[h].id, state: buffer, now: now, in: db)
      }
      // If this transaction rolls back, the store forgets the whole cache.
      cache.store(ids[h], rowID: rowIDs[h]!, version: versions[h], state: states[h])
    }
    for (handle, rule, key) in pendingOnceRows {
      guard let rowID = rowIDs[handle] else { continue }
      _ = try StoreRows.insertOnce(member: rowID, rule: rule, key: key, in: db)
    }
    try StoreRows.insertLedger(ledger, rulesVersion: rulesVersion, in: db) { rowIDs[$0.memberHandle] }
    for (handle, award, actionID) in badges {
      guard let rowID = rowIDs[handle] else { continue }
      try StoreRows.insertBadge(award, member: rowID, actionID: actionID, rulesVersion: rulesVersion, in: db)
    }
  }
}
