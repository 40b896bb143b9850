import Foundation
import GRDB
@_spi(StoreAdapter) public import Laurel
import Synchronization

/// Retroactive recompute: the action log replayed under new rules.
extension SQLiteStore {
  /// What ``rebuild(_:files:)`` did.
  public struct Rebuild: Sendable, Equatable {
    /// The rule files' version the rebuilt rows name.
    public var version: Int64
    /// Actions replayed from the log, and what the new rules did with them.
    public var replayed: Int
    public var applied: Int
    public var ignored: Int
    /// Logged actions the new rules reject (kept in the log, applied to no one).
    public var rejected: Int
    /// Members the rebuilt store holds (objects' states are not counted).
    public var members: Int
    /// Manual badge grants carried over.
    public var grants: Int
  }

  /// Why a store cannot be rebuilt; nothing was changed.
  public struct RebuildError: Error, CustomStringConvertible, Equatable {
    /// `REBUILD_INCOMPLETE_LOG`: actions logged before schema v2 kept no body to replay.
    public var code: String { "REBUILD_INCOMPLETE_LOG" }
    public var description: String
  }

  /// Replays the whole action log under `rules` and replaces everything
  /// derived from it — member states, ledger, badges, once-per keys,
  /// leaderboard tables — in **one transaction**: readers see the old state
  /// until it commits, and a failure keeps nothing. Tier overrides apply
  /// during the replay and manual badge grants are given back afterwards;
  /// admin settings, the audit log and the action log stay as they are.
  /// The rules become the store's rules (the ledger names their version).
  ///
  /// - Throws: ``RebuildError``, ``SQLiteStore/WriteError``.
  public func rebuild(_ rules: CompiledRules, files: [(path: String, text: String)]) throws -> Rebuild {
    let layout = rules.stateLayout
    let engine = Engine(rules: rules, store: self)
    var decoder = ActionDecoder(rules: rules)
    decoder.keepsSource = true
    let result = try writeRules { [decoder] db -> Rebuild in
      let missing = try Int.fetchOne(db, sql: "SELECT count(*) FROM actions WHERE body IS NULL") ?? 0
      guard missing == 0 else {
        throw RebuildError(
          description:
            "\(path): \(missing) logged actions were recorded before Laurel kept action bodies (schema v2); the log cannot be replayed"
        )
      }
      let version = try Self.record(files, in: db)
      try db.execute(
        sql:
          "INSERT INTO laurel_meta (key, value) VALUES ('rules_version', ?), ('layout', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        arguments: ["\(version)", String(decoding: try JSONEncoder().encode(layout), as: UTF8.self)])
      try db.execute(
        sql:
          "DELETE FROM once_keys; DELETE FROM badges; DELETE FROM ledger; DELETE FROM members; "
          + "DELETE FROM counts WHERE name IN ('\(EventCounts.notificationNames.joined(separator: "', '"))')"
      )
      try StandingsTables.reset(in: db)
      let cache = MemberCache()
      var claimed = Set<String>()
      var result = Rebuild(
        version: version, replayed: 0, applied: 0, ignored: 0, rejected: 0, members: 0, grants: 0)
      var last: Int64 = 0
      while true {
        let rows = try Row.fetchAll(
          db, sql: "SELECT seq, body FROM actions WHERE seq > ? ORDER BY seq LIMIT 10000", arguments: [last])
        guard let final = rows.last else { break }
        last = final["seq"]
        var actions: [PreparedAction] = []
        actions.reserveCapacity(rows.count)
        for row in rows {
          result.replayed += 1
          do { actions.append(try decoder.decode(row["body"] as String)) } catch { result.rejected += 1 }
        }
        var tx = RebuildTransaction(
          base: SQLiteTransaction(
            db: db, cache: cache, overrides: overrideCache, freshness: .current, rulesVersion: version,
            layout: layout),
          claimed: claimed)
        let outcomes = try engine.run(actions, in: &tx)
        for outcome in outcomes {
          switch outcome.status {
          case .applied: result.applied += 1
          case .ignored: result.ignored += 1
          case .rejected: result.rejected += 1
          case .duplicate: break
          }
        }
        // The actions were counted when they arrived; what they produce is the new rules'.
        try StoreRows.add(.notifications(of: outcomes), in: db)
        try tx.base.flush()
        claimed = tx.claimed
      }
      result.grants = try restoreGrants(rules, version: version, cache: cache, in: db)
      try StandingsTables.fold(in: db)
      // Objects' states (a scope starting with U+001F) are kept with members but are not members.
      result.members =
        try Int.fetchOne(db, sql: "SELECT count(*) FROM members WHERE scope IS NULL OR unicode(scope) <> 31") ?? 0
      return result
    }
    rulesVersion.withLock { $0 = result.version }
    self.layout.withLock { $0 = layout }
    overrideCache.removeAll()
    windowSums.removeAll()
    return result
  }

  /// Gives members back the badges admins granted them (the rules' manual
  /// badges into their states; every grant into the badges table).
  private func restoreGrants(
    _ rules: CompiledRules, version: Int64, cache: MemberCache, in db: Database
  ) throws
    -> Int
  {
    let layout = rules.stateLayout
    var tx = SQLiteTransaction(
      db: db, cache: cache, overrides: overrideCache, freshness: .current, rulesVersion: version, layout: layout)
    var count = 0
    let initial = rules.initialState()
    for row in try Row.fetchAll(db, sql: "SELECT scope, name, value FROM settings WHERE kind = 'grant'") {
      guard let parts = try? JSONDecoder().decode([String].self, from: Data((row["name"] as String).utf8)),
        parts.count == 3,
        let grant = try? JSONDecoder().decode(BadgeGrant.self, from: Data((row["value"] as String).utf8))
      else { continue }
      let member = MemberID(scope: row["scope"], user: parts[0])
      let key = parts[2].isEmpty ? nil : parts[2]
      let handle = try tx.member(MemberKey(member), initial: { initial })
      if let index = layout.badges.firstIndex(of: parts[1]) {
        tx.withMember(handle) { state in
          if !state.hasBadge(index, key: key) { state.badges.append(EarnedBadge(badge: index, key: key, at: grant.at)) }
        }
      }
      var outcome = Outcome()
      outcome.badges = [BadgeAward(member: member, badge: parts[1], key: key, at: grant.at)]
      try tx.record(outcome)
      count += 1
    }
    try tx.flush()
    return count
  }
}

/// The rebuild's view of the store: an ordinary transaction, except that the
/// actions it replays are logged already, so claiming one only checks for a
/// duplicate within the replay.
struct RebuildTransaction: StateTransaction {
  typealias Failure = any Error
  var base: SQLiteTransaction
  var claimed: Set<String>

  mutating func claimAction(_ action: PreparedAction) throws -> Bool { claimed.insert(action.id).inserted }
  mutating func releaseAction(_ actionID: String) throws { claimed.remove(actionID) }
  mutating func existingMember(_ key: MemberKey) throws -> Int? { try base.existingMember(key) }
  mutating func member(_ key: MemberKey, initial: () -> MemberState) throws -> Int {
    try base.member(key, initial: initial)
  }
  mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R { base.withMember(handle, body) }
  mutating func readMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R { base.readMember(handle, body) }
  mutating func claimOnce(_ handle: Int, rule: Int, key: String) throws -> Bool {
    try base.claimOnce(handle, rule: rule, key: key)
  }
  mutating func record(_ outcome: Outcome) throws { try base.record(outcome) }
  mutating func tierOverrides(scope: String?) throws -> TierOverrides? { try base.tierOverrides(scope: scope) }
}
