import Foundation
@_spi(StoreAdapter) public import Laurel
import LaurelExpression
import PostgresNIO
import Synchronization

/// Replaying the action log under new rules (`laurel rebuild`).
extension PostgresStore {
  /// What ``rebuild(_:files:)`` did.
  public struct Rebuild: Sendable, Equatable {
    /// The rule files' version the rebuilt rows name.
    public var version: Int64
    /// Actions replayed from the log, and what the new rules did with them.
    public var replayed: Int
    public var applied: Int
    public var ignored: Int
    public var rejected: Int
    /// Members after the rebuild (objects' states not counted), and manual badge grants given back.
    public var members: Int
    public var grants: Int
  }

  /// Replays the whole action log under `rules` and replaces members,
  /// ledger, balances, badges and once-per keys with the result, in one
  /// transaction that holds writers off (tier overrides apply during the
  /// replay; manual badge grants are given back; settings, the audit log and
  /// the action log stay). The rules become the store's rules.
  public func rebuild(_ rules: CompiledRules, files: [(path: String, text: String)]) async throws -> Rebuild {
    var decoder = ActionDecoder(rules: rules)
    decoder.keepsSource = true
    var actions: [PreparedAction] = []
    var result = Rebuild(version: 0, replayed: 0, applied: 0, ignored: 0, rejected: 0, members: 0, grants: 0)
    var after: Int64 = 0
    while case let page = try await loggedActions(after: after, limit: 10_000), let last = page.last {
      after = last.sequence
      for logged in page {
        result.replayed += 1
        guard let json = logged.json else {
          throw WriteError(
            description: "\(configuration): action \(logged.id) was logged without its body; the log cannot be replayed"
          )
        }
        do { actions.append(try decoder.decode(json)) } catch { result.rejected += 1 }
      }
    }
    // The replay runs in this process against empty tables: what it does not find is absent.
    var reads = BatchReads()
    reads.complete = true
    var grants: [(scope: String?, name: String, value: String)] = []
    for (scopeKey, kind, name, value) in try await rows(
      "SELECT scope_key, kind, name, value FROM settings WHERE kind IN ('tiers', 'grant')",
      as: (String, String, String, String).self)
    {
      let scope = PostgresSchema.scope(scopeKey)
      if kind == "tiers" {
        reads.tiers[scope, default: []].append((name, value))
      } else {
        grants.append((scope, name, value))
      }
    }
    var tx = PostgresTransaction(reads: reads, rulesVersion: nil)
    let outcomes = try Engine(rules: rules, store: self).run(actions, in: &tx)
    for outcome in outcomes {
      switch outcome.status {
      case .applied: result.applied += 1
      case .ignored: result.ignored += 1
      case .rejected: result.rejected += 1
      case .duplicate: break
      }
    }
    result.grants = try Self.restore(grants, rules: rules, in: &tx)
    result.members = tx.keys.count { !$0.id.isObject }
    // Logged already, and counted when they arrived; what they produce is the new rules'.
    tx.actions.removeAll()
    tx.counts = .notifications(of: outcomes)
    let layoutJSON = String(decoding: try JSONEncoder().encode(rules.stateLayout), as: UTF8.self)
    let digest = Self.digest(files)
    let write = try writeStatement(tx)
    let version = try await withTransaction { [logger] connection -> Int64 in
      try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended('laurel rules', 0))", logger: logger)
      try await connection.query(
        "LOCK TABLE members, ledger, balances, badges, once_keys IN EXCLUSIVE MODE", logger: logger)
      for table in ["once_keys", "badges", "balances", "ledger", "members"] {
        try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table)"), logger: logger)
      }
      try await connection.query(
        "DELETE FROM counts WHERE name = ANY(\(EventCounts.notificationNames))", logger: logger)
      let version = try await Self.record(files, digest: digest, on: connection, logger: logger)
      for try await _ in try await connection.query(write, logger: logger) {}
      // Every row of these tables is the replay's: they name the new rules.
      try await connection.query("UPDATE ledger SET rules_version = \(version)", logger: logger)
      try await connection.query("UPDATE badges SET rules_version = \(version)", logger: logger)
      try await connection.query(
        """
        INSERT INTO laurel_meta (key, value) VALUES ('rules_version', \(String(version))), ('layout', \(layoutJSON))
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """, logger: logger)
      return version
    }
    cache.removeAll()
    rulesVersion.withLock { $0 = version }
    layout.withLock { $0 = rules.stateLayout }
    result.version = version
    return result
  }

  /// Gives members back the badges admins granted them; returns how many.
  private static func restore(
    _ grants: [(scope: String?, name: String, value: String)], rules: CompiledRules, in tx: inout PostgresTransaction
  ) throws -> Int {
    let layout = rules.stateLayout
    let initial = rules.initialState()
    var count = 0
    for grant in grants {
      guard let parts = try? JSONDecoder().decode([String].self, from: Data(grant.name.utf8)), parts.count == 3,
        let record = try? JSONDecoder().decode(BadgeGrant.self, from: Data(grant.value.utf8))
      else { continue }
      let member = MemberID(scope: grant.scope, user: parts[0])
      let key = parts[2].isEmpty ? nil : parts[2]
      let handle = try tx.member(MemberKey(member), initial: { initial })
      if let index = layout.badges.firstIndex(of: parts[1]) {
        tx.withMember(handle) { state in
          if !state.hasBadge(index, key: key) {
            state.badges.append(EarnedBadge(badge: index, key: key, at: record.at))
          }
        }
      }
      var outcome = Outcome()
      outcome.badges = [BadgeAward(member: member, badge: parts[1], key: key, at: record.at)]
      try tx.record(outcome)
      count += 1
    }
    return count
  }
}
