import Foundation
@_spi(StoreAdapter) public import Laurel
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// The rules a store is written under (their files, version and state
/// layout), the action log and the running counts.
extension PostgresStore {
  /// What ``adopt(_:files:droppingRemovedState:)`` did.
  public struct RuleAdoption: Sendable {
    /// The rule files' version that ledger rows and logged actions name from now on.
    public var version: Int64
    /// Members whose state was rewritten for the new rules (0 when the layout did not change).
    public var migratedMembers: Int
    /// Objects (`objects:` in the rules, such as posts) whose state was rewritten with the members'.
    public var migratedObjects: Int
    /// What the new rules add and remove (nil when the store had no rules before).
    public var migration: StateMigration?
  }

  /// Why the store refused new rules. Nothing was changed.
  public struct RuleChangeError: Error, CustomStringConvertible {
    /// `RULES_INCOMPATIBLE`, `RULES_REMOVE_STATE` or `STORE_DAMAGED`.
    public var code: String
    public var description: String
  }

  /// Makes `rules` the store's rules: keeps their files and carries every
  /// member's state over by name from the rules the store was written under
  /// (see ``StateMigration``), in one transaction, as the SQLite store does.
  @discardableResult
  public func adopt(
    _ rules: CompiledRules, files: [(path: String, text: String)], droppingRemovedState: Bool = false
  ) async throws -> RuleAdoption {
    let newLayout = rules.stateLayout
    let layoutJSON = String(decoding: try JSONEncoder().encode(newLayout), as: UTF8.self)
    let digest = Self.digest(files)
    let name = "\(configuration)"
    // Under a lock, and against the layout stored now: several processes may adopt at once.
    let (version, migrated, migration) = try await withTransaction {
      [logger] connection -> (Int64, (members: Int, objects: Int), StateMigration?) in
      try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended('laurel rules', 0))", logger: logger)
      let stored = try await connection.query(
        "SELECT value FROM laurel_meta WHERE key = 'layout'", logger: logger
      ).collect().first.flatMap { try? $0.decode(String.self) }
        .flatMap { try? JSONDecoder().decode(StateLayout.self, from: Data($0.utf8)) }
      var migration: StateMigration?
      if let stored {
        do { migration = try StateMigration(from: stored, to: rules) } catch {
          throw RuleChangeError(code: "RULES_INCOMPATIBLE", description: "\(name): \(error)")
        }
      }
      if let migration, !migration.removals.isEmpty, !droppingRemovedState {
        throw RuleChangeError(
          code: "RULES_REMOVE_STATE",
          description:
            "\(name): the new rules no longer declare \(migration.removals.joined(separator: ", ")), which members of this store hold state for; to delete that state, adopt them explicitly (laurel ingest --drop-removed-state)"
        )
      }
      var migrated = (members: 0, objects: 0)
      if let migration, !migration.isIdentity {
        migrated = try await Self.migrateMembers(migration, on: connection, logger: logger)
      }
      let version = try await Self.record(files, digest: digest, on: connection, logger: logger)
      try await connection.query(
        """
        INSERT INTO laurel_meta (key, value) VALUES ('rules_version', \(String(version))), ('layout', \(layoutJSON))
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """, logger: logger)
      return (version, migrated, migration)
    }
    if migrated.members + migrated.objects > 0 { cache.removeAll() }
    rulesVersion.withLock { $0 = version }
    layout.withLock { $0 = newLayout }
    return RuleAdoption(
      version: version, migratedMembers: migrated.members, migratedObjects: migrated.objects, migration: migration)
  }

  /// Runs `body` in one transaction on one connection (BEGIN … COMMIT).
  func withTransaction<R: Sendable>(
    _ body: @escaping @Sendable (PostgresConnection) async throws -> R
  ) async throws -> R {
    do {
      return try await client.withConnection { connection in
        try await connection.query("BEGIN", logger: logger)
        do {
          let result = try await body(connection)
          try await connection.query("COMMIT", logger: logger)
          return result
        } catch {
          _ = try? await connection.query("ROLLBACK", logger: logger)
          throw error
        }
      }
    } catch let error as PSQLError {
      throw WriteError(
        description: "\(configuration): the transaction was rolled back, nothing was written: \(Self.explain(error))")
    }
  }

  /// Keeps the text of the rule files (the same files are the same
  /// version); returns the version's number. Inside the caller's transaction.
  static func record(
    _ files: [(path: String, text: String)], digest: String, on connection: PostgresConnection, logger: Logger
  ) async throws -> Int64 {
    try await connection.query("DELETE FROM rule_files", logger: logger)
    for file in files {
      try await connection.query(
        "INSERT INTO rule_files (path, text) VALUES (\(file.path), \(file.text))", logger: logger)
    }
    let now = Int64(Date().timeIntervalSince1970)
    try await connection.query(
      "INSERT INTO rule_versions (digest, saved_at) VALUES (\(digest), \(now)) ON CONFLICT (digest) DO NOTHING",
      logger: logger)
    return try await connection.query("SELECT id FROM rule_versions WHERE digest = \(digest)", logger: logger)
      .collect().first?.decode(Int64.self) ?? 0
  }

  /// Rewrites every member's and object's state and once-per keys for
  /// `migration`; returns how many members and objects.
  private static func migrateMembers(
    _ migration: StateMigration, on connection: PostgresConnection, logger: Logger
  ) async throws -> (members: Int, objects: Int) {
    var scopes: [String] = [], users: [String] = [], states: [ByteBuffer] = []
    var objects = 0
    var bytes: [UInt8] = []
    let rows = try await connection.query(
      "SELECT scope_key, user_id, state FROM members FOR UPDATE", logger: logger)
    for try await (scope, user, state) in rows.decode((String, String, ByteBuffer).self) {
      let member = MemberID(scope: PostgresSchema.scope(scope), user: user)
      if member.isObject { objects += 1 }
      let migrated: MemberState
      do { migrated = try migration.migrate(try decodeState(state, member: member, layout: nil)) } catch {
        throw RuleChangeError(code: "STORE_DAMAGED", description: "member \(member): \(error)")
      }
      bytes.removeAll(keepingCapacity: true)
      migrated.encode(into: &bytes)
      scopes.append(scope)
      users.append(user)
      states.append(ByteBuffer(bytes: bytes))
    }
    try await connection.query(
      """
      UPDATE members m SET state = k.st, version = m.version + 1
      FROM unnest(\(scopes), \(users), \(states)) AS k(s, u, st) WHERE m.scope_key = k.s AND m.user_id = k.u
      """, logger: logger)
    // Once-per keys follow their rule; a removed rule's keys go.
    let old = migration.from.rules.indices.map { Int32($0) }
    let new = migration.from.rules.indices.map { Int32(migration.newRule($0) ?? -1) }
    try await connection.query(
      """
      DELETE FROM once_keys o USING unnest(\(old), \(new)) AS k(old, new) WHERE o.rule = k.old AND k.new < 0
      """, logger: logger)
    try await connection.query(
      """
      UPDATE once_keys o SET rule = k.new FROM unnest(\(old), \(new)) AS k(old, new)
      WHERE o.rule = k.old AND k.new >= 0 AND k.new <> k.old
      """, logger: logger)
    return (states.count - objects, objects)
  }

  /// The rules version and state layout recorded by the last adoption.
  func readAdoptedRules() async throws -> (Int64?, StateLayout?) {
    var meta: [String: String] = [:]
    for (key, value) in try await rows(
      "SELECT key, value FROM laurel_meta WHERE key IN ('rules_version', 'layout')", as: (String, String).self)
    {
      meta[key] = value
    }
    let layout = meta["layout"].flatMap { try? JSONDecoder().decode(StateLayout.self, from: Data($0.utf8)) }
    return (meta["rules_version"].flatMap(Int64.init), layout)
  }

  /// The rule files saved by the last adoption.
  public func ruleFiles() async throws -> [(path: String, text: String)] {
    try await rows("SELECT path, text FROM rule_files ORDER BY path COLLATE \"C\"", as: (String, String).self)
      .map { ($0.0, $0.1) }
  }

  /// FNV-1a (64 bits) over paths and texts: identifies a set of rule files, not a security measure.
  static func digest(_ files: [(path: String, text: String)]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for file in files {
      for byte in file.path.utf8 + [0] + file.text.utf8 + [0] {
        hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
      }
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// One action from the action log.
  public struct LoggedAction: Sendable, Equatable {
    /// Position in the log (order of arrival).
    public var sequence: Int64
    public var id: String
    /// The action's JSON as received.
    public var json: String?
  }

  /// The action log after `sequence`, oldest first, `limit` at a time.
  public func loggedActions(after sequence: Int64 = 0, limit: Int = 1000) async throws -> [LoggedAction] {
    try await rows(
      "SELECT seq, id, body FROM actions WHERE seq > \(sequence) ORDER BY seq LIMIT \(max(0, limit))",
      as: (Int64, String, String?).self
    ).map { LoggedAction(sequence: $0.0, id: $0.1, json: $0.2) }
  }

  /// The running counts of actions read, applied, duplicates, ignored and
  /// rejected (kept by batches that add them, in their own transaction).
  public func eventCounts() async throws -> EventCounts {
    Self.counts(try await rows("SELECT name, sum(value)::bigint FROM counts GROUP BY name", as: (String, Int64).self))
  }

  private static func counts(_ rows: [(String, Int64)]) -> EventCounts {
    EventCounts(named: rows.map { ($0.0, Int($0.1)) })
  }

  /// Every member and the running counts, read in one snapshot (one
  /// repeatable-read transaction), so a batch committing meanwhile shows in
  /// both or in neither.
  public func snapshot() async throws -> (members: [(MemberID, MemberState)], counts: EventCounts) {
    let layout = stateLayout
    let (rows, counts) = try await withTransaction { [logger] connection in
      try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
      var members: [(String, String, ByteBuffer)] = []
      for try await row in try await connection.query(
        "SELECT scope_key, user_id, state FROM members", logger: logger
      ).decode((String, String, ByteBuffer).self) {
        members.append(row)
      }
      var counts: [(String, Int64)] = []
      for try await row in try await connection.query(
        "SELECT name, sum(value)::bigint FROM counts GROUP BY name", logger: logger
      ).decode((String, Int64).self) {
        counts.append(row)
      }
      return (members, counts)
    }
    let members = try rows.map { scope, user, state in
      let id = MemberID(scope: PostgresSchema.scope(scope), user: user)
      return (id, try Self.decodeState(state, member: id, layout: layout))
    }
    return (members.sorted { $0.0 < $1.0 }, Self.counts(counts))
  }
}
