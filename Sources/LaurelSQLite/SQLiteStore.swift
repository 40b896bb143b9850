import Foundation
import GRDB
import GRDBSQLite
@_spi(StoreAdapter) public import Laurel
import LaurelExpression
import Synchronization

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
public final class SQLiteStore: AdminStore {
  public typealias Transaction = SQLiteTransaction

  let writer: any DatabaseWriter
  let cache = MemberCache()
  /// Tier overrides for the engine's transactions (see ``OverrideCache``).
  let overrideCache = OverrideCache()
  /// Window leaderboards' sums, moved forward by this process's folds.
  let windowSums = WindowSumsCache()
  /// Set by a transaction that wrote a tier setting: the override cache is
  /// emptied once more after its commit, so no read made before it stays.
  private let overridesChanged = Atomic<Bool>(false)
  /// Copies the write-ahead log into the file off the commit path (nil in memory).
  private let checkpointer: BackgroundCheckpointer?
  /// The rule files' version that new ledger rows and logged actions name.
  let rulesVersion = Mutex<Int64?>(nil)
  /// The layout of the stored member states (nil until rules are adopted).
  let layout = Mutex<StateLayout?>(nil)
  /// The database file (`:memory:` for an in-memory store).
  public let path: String
  /// The options the store was opened with.
  let options: Options
  /// Transactions running on the writer connection (see ``transaction(reading:_:)``):
  /// one runs on the caller's thread only when this is 0.
  let writesInFlight = Atomic<Int>(0)

  /// How the store trades durability for speed.
  public struct Options: Sendable {
    /// SQLite's `synchronous` setting: when a commit waits for the disk.
    public enum Synchronous: String, Sendable, CaseIterable {
      /// A commit survives a crash of the process; a power loss may lose the
      /// last commits, never corrupt the file (WAL). The default.
      case normal = "NORMAL"
      /// Every commit is on disk before it returns (an fsync per commit).
      case full = "FULL"
      /// No waiting at all: for throwaway imports only.
      case off = "OFF"
    }

    public var synchronous: Synchronous = .normal
    /// How long a writer waits for another process's transaction (seconds).
    public var busyTimeout: Double = 10
    /// SQLite's page cache per connection, in MiB (large imports touch many pages).
    public var cacheMiB = 64
    /// Pages the write-ahead log may hold before they are copied into the
    /// database file. The copy runs on a connection and thread of its own
    /// (a passive checkpoint), so no commit waits for it; 10,000 pages is
    /// about 40 MiB of log.
    public var checkpointPages = 10_000
    /// The most the database file may grow to, in MiB (nil: no limit). A
    /// transaction that would grow it further fails like on a full disk.
    public var maxSizeMiB: Int?
    /// Opens the file for reading only (`show`, `export`): works on a file or
    /// folder that cannot be written, never changes the file, and refuses
    /// one whose schema needs upgrading. Writes fail with ``WriteError``.
    public var readOnly = false

    public init(
      synchronous: Synchronous = .normal, busyTimeout: Double = 10, cacheMiB: Int = 64, checkpointPages: Int = 10_000,
      maxSizeMiB: Int? = nil, readOnly: Bool = false
    ) {
      self.readOnly = readOnly
      self.synchronous = synchronous
      self.busyTimeout = busyTimeout
      self.cacheMiB = cacheMiB
      self.checkpointPages = checkpointPages
      self.maxSizeMiB = maxSizeMiB
    }
  }

  /// Opens (creating if needed) the store at `path`; `:memory:` for a private in-memory database.
  ///
  /// Throws ``OpenError`` for a file that is not a Laurel database, was written
  /// by a newer Laurel, or cannot be written; such a file is left untouched.
  public init(path: String, options: Options = Options()) throws {
    self.path = path
    self.options = options
    var configuration = Configuration()
    configuration.busyMode = .timeout(options.busyTimeout)
    configuration.prepareDatabase { db in
      try db.execute(
        sql:
          "PRAGMA wal_autocheckpoint = \(max(1, options.checkpointPages)); PRAGMA synchronous = \(options.synchronous.rawValue); PRAGMA cache_size = -\(max(1, options.cacheMiB) * 1024)"
      )
      if let limit = options.maxSizeMiB {
        let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        try db.execute(sql: "PRAGMA max_page_count = \(max(1, limit * 1_048_576 / pageSize))")
      }
    }
    do {
      if path == ":memory:" {
        writer = try DatabaseQueue(configuration: configuration)
        checkpointer = nil
        try Self.prepare(writer, path: path)
      } else if options.readOnly {
        var readOnly = Configuration()
        readOnly.readonly = true
        readOnly.busyMode = .timeout(options.busyTimeout)
        guard FileManager.default.fileExists(atPath: path) else {
          throw OpenError(kind: .notLaurel, description: "\(path) does not exist")
        }
        writer = try Self.openReadOnly(path, configuration: readOnly)
        checkpointer = nil
        try writer.read { db in
          try Self.check(db, path: path)
          guard try SQLiteSchema.migrator.hasCompletedMigrations(db) else {
            throw OpenError(
              kind: .olderVersion,
              description:
                "\(path) was written by an older version of Laurel; open it once for writing (laurel ingest) to upgrade it"
            )
          }
        }
      } else {
        // A file that is not Laurel's is refused before anything writes to it (WAL, migrations).
        try Self.inspect(path, busyTimeout: options.busyTimeout)
        let deadline = Date().addingTimeInterval(max(1, options.busyTimeout))
        writer = try Self.retryingWhileOthersCreate(until: deadline) {
          try DatabasePool(path: path, configuration: configuration)
        }
        try Self.retryingWhileOthersCreate(until: deadline) { [writer] in try Self.prepare(writer, path: path) }
        checkpointer = try BackgroundCheckpointer(
          path: path, configuration: configuration, thresholdPages: options.checkpointPages)
        try writer.writeWithoutTransaction { [checkpointer] in try checkpointer?.attach(to: $0) }
      }
    } catch let error as OpenError {
      throw error
    } catch let error as DatabaseError {
      throw OpenError(error, path: path)
    }
    let (version, layout) = try readAdoptedRules()
    rulesVersion.withLock { $0 = version }
    self.layout.withLock { $0 = layout }
  }

  deinit {
    guard let checkpointer else { return }
    writer.writeWithoutTransaction { checkpointer.detach(from: $0) }
    checkpointer.drain()
  }

  /// Runs `body` in one SQLite transaction without ever blocking a thread of
  /// Swift's cooperative pool: when nothing else is writing through this
  /// store and no other process holds the file's write lock, the
  /// transaction runs at once on the caller's thread (`BEGIN IMMEDIATE` with
  /// no busy wait: a commit in WAL mode with `synchronous=NORMAL` writes to
  /// the log and waits for no disk); otherwise, and always with
  /// `synchronous=FULL`, it goes to GRDB's writer queue, which waits for the
  /// lock there (up to the busy timeout). Handing every transaction over cost
  /// two thread wake-ups: one durable commit took 148 µs instead of 60 µs.
  ///
  /// The footprint's members that the cache cannot vouch for are read in one
  /// statement first. Every member row is written only if it still has the
  /// version the transaction read (or took from the cache). Should one not
  /// (the cache believed a state another connection had changed), the
  /// transaction is rolled back and run once more with the cache emptied,
  /// reading every row.
  public func transaction<R: Sendable>(
    reading footprint: BatchFootprint, _ body: @escaping @Sendable (inout SQLiteTransaction) throws -> R
  ) async throws -> R {
    defer { if overridesChanged.exchange(false, ordering: .acquiringAndReleasing) { overrideCache.removeAll() } }
    do {
      return try await writeOnce(footprint, body)
    } catch is SQLiteTransaction.MemberChanged {
      return try await writeOnce(footprint, body)
    }
  }

  /// The SQLite store reads a batch's members ahead.
  public var wantsFootprint: Bool { true }

  private func writeOnce<R: Sendable>(
    _ footprint: BatchFootprint, _ body: @escaping @Sendable (inout SQLiteTransaction) throws -> R
  ) async throws -> R {
    do {
      if options.synchronous != .full, path != ":memory:",
        writesInFlight.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged
      {
        defer { writesInFlight.subtract(1, ordering: .releasing) }
        if let done = try writeWithoutWaiting({ [self] db in try run(footprint, body, in: db) }) { return done }
      }
      writesInFlight.add(1, ordering: .acquiringAndReleasing)
      defer { writesInFlight.subtract(1, ordering: .releasing) }
      return try await writer.write { [self] db in try run(footprint, body, in: db) }
    } catch let error as DatabaseError {
      cache.removeAll()
      throw WriteError(
        description: "\(path): the transaction was rolled back, nothing was written: \(Self.explain(error))",
        underlying: error)
    } catch {
      cache.removeAll()
      throw error
    }
  }

  /// One transaction's work on the writer connection.
  private func run<R>(
    _ footprint: BatchFootprint, _ body: (inout SQLiteTransaction) throws -> R, in db: Database
  ) throws -> R {
    let dataVersion = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? -1
    let freshness = freshness(dataVersion)
    if freshness != .current { overrideCache.removeAll() }
    var tx = SQLiteTransaction(
      db: db, cache: cache, overrides: overrideCache, freshness: freshness, rulesVersion: currentRulesVersion,
      layout: currentLayout)
    try tx.readAhead(footprint)
    let result = try body(&tx)
    try tx.flush()
    if tx.changedTiers { overridesChanged.store(true, ordering: .releasing) }
    return result
  }

  /// Runs `work` in a transaction on the caller's thread if the file's write
  /// lock is free now; nil (nothing done) when another process holds it.
  /// Call only while no other write runs through this store (``writesInFlight``),
  /// so GRDB's writer queue is idle and runs `work` at once.
  private func writeWithoutWaiting<R>(_ work: (Database) throws -> R) throws -> R? {
    try writer.writeWithoutTransaction { db -> R? in
      // The C call, not a PRAGMA: parsing two statements cost 16 µs a commit.
      sqlite3_busy_timeout(db.sqliteConnection, 0)
      defer { sqlite3_busy_timeout(db.sqliteConnection, Int32(clamping: Int(max(0, options.busyTimeout) * 1000))) }
      do {
        try db.beginTransaction(.immediate)
      } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
        return nil
      }
      do {
        let result = try work(db)
        try db.commit()
        return result
      } catch {
        try? db.rollback()
        throw error
      }
    }
  }

  /// Whether an ordinary transaction may use cached states without reading
  /// their rows: not while planned batches have put unwritten states in the cache.
  private func freshness(_ dataVersion: Int64) -> MemberCache.Freshness {
    let freshness = cache.check(dataVersion: dataVersion)
    return cache.hasPlansInFlight ? .stale : freshness
  }

  /// Writes a batch planned ahead (see ``SQLiteImporter``) in one
  /// transaction; throws ``BatchPlan/Outdated`` (writing nothing) when its
  /// premises no longer hold. Leaves the cache to the caller.
  func write(_ plan: BatchPlan) throws {
    writesInFlight.add(1, ordering: .acquiringAndReleasing)
    defer { writesInFlight.subtract(1, ordering: .releasing) }
    try writer.write { db in try plan.write(in: db, cache: cache, overrides: overrideCache) }
  }

  /// The rule files' version new rows name.
  var currentRulesVersion: Int64? { rulesVersion.withLock { $0 } }
  /// The layout of the stored states, once rules were adopted.
  var currentLayout: StateLayout? { layout.withLock { $0 } }

  /// The layout of the stored states, recorded when rules are adopted.
  public var stateLayout: StateLayout? { currentLayout }

  /// A second, read-only connection to the file, for planning batches while
  /// the writer is busy (nil for an in-memory store).
  func readOnlyConnection() throws -> DatabaseQueue? {
    guard path != ":memory:" else { return nil }
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(10)
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -16384") }
    return try DatabaseQueue(path: path, configuration: configuration)
  }

  /// Every member, sorted by scope then user (read on GRDB's reader queue).
  public func members() async throws -> [(MemberID, MemberState)] {
    try await writer.read { [self] in try allMembers(in: $0) }
  }

  private func allMembers(in db: Database) throws -> [(MemberID, MemberState)] {
    // Objects' states (their scope starts with U+001F) are kept with members but are not members.
    try Row.fetchAll(db, sql: "SELECT scope, user, state FROM members").map(member).filter { !$0.0.isObject }
      .sorted { $0.0 < $1.0 }
  }

  /// Every member and the running action counts, read in one snapshot, so
  /// an ingest committing meanwhile shows in both or in neither.
  public func snapshot() async throws -> (members: [(MemberID, MemberState)], counts: EventCounts) {
    try await writer.read { [self] db in (try allMembers(in: db), try eventCounts(in: db)) }
  }

  /// Copies the write-ahead log into the database file and empties it (the
  /// file alone then holds everything, e.g. to measure or copy it).
  public func checkpoint() throws {
    guard path != ":memory:" else { return }
    checkpointer?.drain()
    writesInFlight.add(1, ordering: .acquiringAndReleasing)
    defer { writesInFlight.subtract(1, ordering: .releasing) }
    try writer.writeWithoutTransaction { db in _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
  }

  /// One action from the action log.
  public struct LoggedAction: Sendable, Equatable {
    /// Position in the log (order of arrival).
    public var sequence: Int64
    public var id: String
    /// The action's JSON as received (nil for actions logged before schema v2).
    public var json: String?
    /// The version of the rule files it was applied under (see ``adopt(_:files:droppingRemovedState:layoutOfStoredRules:)``).
    public var rulesVersion: Int64?
  }

  /// The action log after `sequence`, oldest first, `limit` at a time: every
  /// applied or ignored action (rejected ones are not kept), to replay the
  /// history under other rules.
  public func loggedActions(after sequence: Int64 = 0, limit: Int = 1000) async throws -> [LoggedAction] {
    try await writer.read { db in
      try Row.fetchAll(
        db, sql: "SELECT seq, id, body, rules_version FROM actions WHERE seq > ? ORDER BY seq LIMIT ?",
        arguments: [sequence, limit]
      ).map { LoggedAction(sequence: $0[0], id: $0[1], json: $0[2], rulesVersion: $0[3]) }
    }
  }

  /// A `scope, user, state` row as a member and its state.
  private func member(_ row: Row) throws -> (MemberID, MemberState) {
    let id = MemberID(scope: row["scope"], user: row["user"])
    return (id, try SQLiteTransaction.decodeState(row["state"], member: id, layout: currentLayout))
  }

  /// The members of one scope, sorted by user (through the members' unique index).
  public func members(inScope scope: String?) async throws -> [(MemberID, MemberState)] {
    try await writer.read { [self] db in
      try Row.fetchAll(
        db, sql: "SELECT scope, user, state FROM members WHERE scope_key = ? ORDER BY user",
        arguments: [SQLiteSchema.scopeKey(scope)]
      ).map(member)
    }
  }

  /// The running counts of actions read, applied, duplicates, ignored and rejected
  /// (kept by ``SQLiteTransaction/add(_:)`` in the same transactions as the actions).
  public func eventCounts() async throws -> EventCounts {
    try await writer.read { [self] in try eventCounts(in: $0) }
  }

  private func eventCounts(in db: Database) throws -> EventCounts {
    EventCounts(
      named: try Row.fetchAll(db, sql: "SELECT name, value FROM counts").map { ($0[0] as String, $0[1] as Int) })
  }

  /// One member's state, if the member exists.
  public func state(of member: MemberID) async throws -> MemberState? {
    try await writer.read { [self] db in try state(of: member, in: db) }
  }

  /// The member's state and its scope's tier overrides in one read.
  public func stateAndOverrides(of member: MemberID) async throws -> (state: MemberState?, overrides: TierOverrides) {
    try await writer.read { [self] db in
      (try state(of: member, in: db), try StoreRows.tierOverrides(scope: member.scope, in: db))
    }
  }

  private func state(of member: MemberID, in db: Database) throws -> MemberState? {
    let statement = try db.cachedStatement(sql: "SELECT state FROM members WHERE scope_key = ? AND user = ?")
    guard
      let value = try DatabaseValue.fetchOne(
        statement, arguments: [SQLiteSchema.scopeKey(member.scope), member.user])
    else { return nil }
    return try SQLiteTransaction.decodeState(value, member: member, layout: currentLayout)
  }

  /// The members holding `badge` (one row per member and key), earliest
  /// first. Badges earned before schema v3 are only in the member states.
  public func badgeHolders(_ badge: String) async throws -> [BadgeAward] {
    try await writer.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT m.scope, m.user, b.key, b.at FROM badges b JOIN members m ON m.id = b.member_id
          WHERE b.badge = ? ORDER BY b.at, m.scope_key, m.user, b.key
          """,
        arguments: [badge]
      ).map { row in
        let key: String = row["key"]
        return BadgeAward(
          member: MemberID(scope: row["scope"], user: row["user"]), badge: badge, key: key.isEmpty ? nil : key,
          at: try Timestamp(seconds: row["at"]))
      }
    }
  }

  /// A member's applied amounts, newest first, `limit` per page.
  public func ledger(of member: MemberID, limit: Int = 50, offset: Int = 0) async throws -> [LedgerEntry] {
    try await writer.read { db in
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
