import Foundation
import GRDB
@_spi(StoreAdapter) public import Laurel
import Synchronization

/// The rules a store is written under: their files, their version, and the
/// layout of the member states they produce.
extension SQLiteStore {
  /// What ``adopt(_:files:droppingRemovedState:layoutOfStoredRules:)`` did.
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

  /// Why a store refused new rules. Nothing was changed.
  public struct RuleChangeError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
      /// Another scheme, or members scoped differently: the state cannot be carried over.
      case incompatible
      /// The new rules drop state members hold; adopt them with `droppingRemovedState`.
      case removesState
      /// A stored member state does not match the rules it was written under.
      case damagedState

      /// The stable code: `RULES_INCOMPATIBLE`, `RULES_REMOVE_STATE`, `STORE_DAMAGED`.
      public var code: String {
        switch self {
        case .incompatible: "RULES_INCOMPATIBLE"
        case .removesState: "RULES_REMOVE_STATE"
        case .damagedState: "STORE_DAMAGED"
        }
      }
    }

    public var kind: Kind
    /// The kind's stable code.
    public var code: String { kind.code }
    public var description: String
  }

  /// Makes `rules` the store's rules: keeps their files, and carries every
  /// member's state over **by name** from the rules the store was written
  /// under (see ``StateMigration``), in one transaction. Rules with the same
  /// layout change nothing but the recorded version.
  ///
  /// ```swift
  /// let adoption = try store.adopt(rules, files: [("rules/points.yaml", text)])
  /// print(adoption.migration?.additions ?? [])   // ["ladder 'level'"]
  /// ```
  ///
  /// - Parameters:
  ///   - droppingRemovedState: allows rules that no longer declare a
  ///     currency, ladder, counter, trait, progress, streak or badge the
  ///     store holds state for; that state is deleted.
  ///   - layoutOfStoredRules: the layout of the rules saved in a store written
  ///     before layouts were recorded (compile the saved files); nil assumes
  ///     they were laid out like `rules`.
  /// - Throws: ``RuleChangeError`` (nothing changed), ``SQLiteStore/WriteError``.
  @discardableResult
  public func adopt(
    _ rules: CompiledRules, files: [(path: String, text: String)], droppingRemovedState: Bool = false,
    layoutOfStoredRules: (([(path: String, text: String)]) throws -> StateLayout)? = nil
  ) throws -> RuleAdoption {
    let newLayout = rules.stateLayout
    var stored = layout.withLock { $0 }
    if stored == nil, let layoutOfStoredRules, case let saved = try ruleFiles(), !saved.isEmpty {
      stored = try layoutOfStoredRules(saved)
    }
    var migration: StateMigration?
    if let stored {
      do { migration = try StateMigration(from: stored, to: rules) } catch {
        throw RuleChangeError(kind: .incompatible, description: "\(path): \(error.description)")
      }
    }
    if let migration, !migration.removals.isEmpty, !droppingRemovedState {
      throw RuleChangeError(
        kind: .removesState,
        description:
          "\(path): the new rules no longer declare \(migration.removals.joined(separator: ", ")), which members of this store hold state for; to delete that state, adopt them explicitly (laurel ingest --drop-removed-state)"
      )
    }
    let rewrite = migration.map { !$0.isIdentity } ?? false
    let (version, migrated) = try writeRules { db -> (Int64, (members: Int, objects: Int)) in
      var migrated = (members: 0, objects: 0)
      if rewrite, let migration { migrated = try Self.migrateMembers(migration, in: db) }
      let version = try Self.record(files, in: db)
      let json = String(decoding: try JSONEncoder().encode(newLayout), as: UTF8.self)
      try db.execute(
        sql:
          "INSERT INTO laurel_meta (key, value) VALUES ('rules_version', ?), ('layout', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        arguments: ["\(version)", json])
      return (version, migrated)
    }
    rulesVersion.withLock { $0 = version }
    layout.withLock { $0 = newLayout }
    return RuleAdoption(
      version: version, migratedMembers: migrated.members, migratedObjects: migrated.objects, migration: migration)
  }

  /// Rewrites every member's and object's state and once-per keys for
  /// `migration`; returns how many members and objects.
  private static func migrateMembers(
    _ migration: StateMigration, in db: Database
  ) throws -> (members: Int, objects: Int) {
    var objects = 0
    var bytes: [UInt8] = []
    let rows = try Row.fetchCursor(db, sql: "SELECT id, scope, user, state FROM members")
    var updates: [(Int64, [UInt8])] = []
    while let row = try rows.next() {
      let member = MemberID(scope: row["scope"], user: row["user"])
      if member.isObject { objects += 1 }
      let state = try SQLiteTransaction.decodeState(row["state"], member: member, layout: nil)
      let migrated: MemberState
      do { migrated = try migration.migrate(state) } catch {
        throw RuleChangeError(kind: .damagedState, description: "member \(member): \(error.description)")
      }
      bytes.removeAll(keepingCapacity: true)
      migrated.encode(into: &bytes)
      updates.append((row["id"], bytes))
    }
    for (id, state) in updates {
      try db.execute(
        sql: "UPDATE members SET state = ?, version = version + 1 WHERE id = ?", arguments: [Data(state), id])
    }
    // Once-per keys follow their rule; a removed rule's keys go. Negative
    // numbers park the renumbered keys so no two rules collide on the way.
    for old in migration.from.rules.indices {
      if let new = migration.newRule(old) {
        try db.execute(sql: "UPDATE once_keys SET rule = ? WHERE rule = ?", arguments: [-1 - new, old])
      } else {
        try db.execute(sql: "DELETE FROM once_keys WHERE rule = ?", arguments: [old])
      }
    }
    try db.execute(sql: "UPDATE once_keys SET rule = -1 - rule WHERE rule < 0")
    return (updates.count - objects, objects)
  }

  /// The rules version and state layout recorded by the last adoption.
  func readAdoptedRules() throws -> (Int64?, StateLayout?) {
    try writer.read { db in
      let meta = Dictionary(
        try Row.fetchAll(db, sql: "SELECT key, value FROM laurel_meta").map {
          ($0["key"] as String, $0["value"] as String)
        },
        uniquingKeysWith: { a, _ in a })
      let layout = meta["layout"].flatMap { try? JSONDecoder().decode(StateLayout.self, from: Data($0.utf8)) }
      // Before layouts were recorded, the newest version was the current one.
      let version =
        try meta["rules_version"].flatMap(Int64.init) ?? Int64.fetchOne(db, sql: "SELECT max(id) FROM rule_versions")
      return (version, layout)
    }
  }

  /// Keeps the text of the rule files (the same files are the same
  /// version); returns the version's number.
  static func record(_ files: [(path: String, text: String)], in db: Database) throws -> Int64 {
    let digest = Self.digest(files)
    try db.execute(sql: "DELETE FROM rule_files")
    for file in files {
      try db.execute(sql: "INSERT INTO rule_files (path, text) VALUES (?, ?)", arguments: [file.path, file.text])
    }
    try db.execute(
      sql: "INSERT INTO rule_versions (digest, saved_at) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING",
      arguments: [digest, Int64(Date().timeIntervalSince1970)])
    return try Int64.fetchOne(db, sql: "SELECT id FROM rule_versions WHERE digest = ?", arguments: [digest]) ?? 0
  }

  /// A write of the rules' tables; the member cache is dropped either way.
  func writeRules<R>(_ body: (Database) throws -> R) throws -> R {
    defer { cache.removeAll() }
    writesInFlight.add(1, ordering: .acquiringAndReleasing)
    defer { writesInFlight.subtract(1, ordering: .releasing) }
    do { return try writer.write(body) } catch let error as DatabaseError {
      throw WriteError(
        description: "\(path): the transaction was rolled back, nothing was written: \(Self.explain(error))",
        underlying: error)
    }
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

  /// The rule files saved by the last adoption.
  public func ruleFiles() throws -> [(path: String, text: String)] {
    try writer.read { db in
      try Row.fetchAll(db, sql: "SELECT path, text FROM rule_files ORDER BY path").map { ($0["path"], $0["text"]) }
    }
  }
}
