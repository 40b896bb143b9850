import Foundation
import GRDB
@_spi(StoreAdapter) import Laurel
import LaurelExpression
import LaurelSQLite
import LaurelTesting
import Synchronization
import Testing

/// Both stores pass the same administration and read-model suite.
@Suite struct AdminConformanceTests {
  @Test func inMemoryStorePassesTheAdminSuite() async throws {
    let failures = await AdminConformance.run { InMemoryStore() }
    #expect(failures.isEmpty, "\(failures)")
  }

  @Test func sqliteInMemoryPassesTheAdminSuite() async throws {
    let failures = await AdminConformance.run { try SQLiteStore(path: ":memory:") }
    #expect(failures.isEmpty, "\(failures)")
  }

  @Test func sqliteFilePassesTheAdminSuite() async throws {
    let temporary = try TemporaryFolder("laurel-admin")
    let counter = Mutex(0)
    let failures = await AdminConformance.run {
      let n = counter.withLock { value in
        value += 1
        return value
      }
      return try SQLiteStore(path: temporary.url.appendingPathComponent("admin-\(n).sqlite").path)
    }
    #expect(failures.isEmpty, "\(failures)")
  }
}

/// SQLite ranks leaderboards its own way (index pages and counts; window sums
/// with user ids read only where ties need them): on boards full of ties,
/// every page and every member's place equals the in-memory store's.
@Suite struct LeaderboardAgreementTests {
  /// With `sparseRowIDs`, a member row numbered 20,000,000 comes first, so
  /// every member after it has a row id too large for the window sums'
  /// arrays: the hash-table path is checked the same way.
  @Test(arguments: [false, true]) func sqliteAndInMemoryRankEveryPageAlike(sparseRowIDs: Bool) async throws {
    let rules = try AdminConformance.rules()
    let memory = Engine(rules: rules, store: InMemoryStore())
    let folder = try TemporaryFolder("laurel-boards")
    let path = folder.url.appendingPathComponent("boards.sqlite").path
    let sqlite = Engine(rules: rules, store: try SQLiteStore(path: path))
    if sparseRowIDs {
      try await DatabaseQueue(path: path).write { db in
        try db.execute(
          sql:
            "INSERT INTO members (id, scope, scope_key, user, state, updated_at) VALUES (20000000, 'elsewhere', 's:elsewhere', 'placeholder', x'', 0)"
        )
      }
    }
    var state: UInt64 = 12345
    func next(_ n: UInt64) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % n)
    }
    var lines: [String] = []
    for i in 0..<600 {
      let day = 1 + next(28)
      let type = next(5) == 0 ? "post_unliked" : "post_liked"
      lines.append(
        #"{"id":"a\#(i)","type":"\#(type)","at":"2026-02-\#(day < 10 ? "0" : "")\#(day)T10:00:00Z","user":"fan","community":"c1","author":"u\#(next(60))"}"#
      )
    }
    let now = try Timestamp(rfc3339: "2026-02-28T12:00:00Z")
    // Half the history, the boards read (SQLite folds its ledger into the
    // leaderboard tables), the other half, the boards read again (it folds the rest).
    for half in [lines.prefix(300), lines.dropFirst(300)] {
      for line in half {
        _ = try await memory.apply(json: line)
        _ = try await sqlite.apply(json: line)
      }
      for window in [LeaderboardWindow.allTime, .days(7)] {
        for offset in [0, 1, 3, 7, 20, 55] {
          for user in ["u0", "u7", "u13", "nobody"] {
            let a = try await memory.leaderboard(
              "top", window: window, scope: "c1", limit: 6, offset: offset, user: user, now: now)
            let b = try await sqlite.leaderboard(
              "top", window: window, scope: "c1", limit: 6, offset: offset, user: user, now: now)
            #expect(a == b, "\(window) offset \(offset) user \(user)")
          }
        }
      }
    }
    let board = try await memory.leaderboard("top", window: .allTime, scope: "c1", limit: 100, now: now)
    // Ties exist, and share ranks.
    #expect(Set(board.entries.map(\.rank)).count < board.entries.count)
  }
}

/// The admin suite fails a store that keeps tier overrides but does not give
/// them to the engine's transactions (actions would rank under the rules' tiers).
@Suite struct AdminConformanceCatchesTests {
  @Test func aStoreWhoseTransactionsIgnoreOverridesFails() async throws {
    let failures = await AdminConformance.run { OverrideBlindStore() }
    #expect(
      failures.map(\.check) == [
        "raised thresholds move nobody down on a ratchet ladder; actions rank under the override",
        "gates: requirements per scope, scoped names in the message, strangers at rank 1",
        // An action ranked under the rules' tiers publishes no level-up.
        "the outbox: events of published actions and admin changes, in order, committed with them",
      ], "\(failures)")
  }
}

/// ``InMemoryStore`` with transactions that report no tier overrides.
final class OverrideBlindStore: AdminStore {
  let base = InMemoryStore()

  struct Transaction: AdminTransaction {
    typealias Failure = Never
    var base: JournaledState

    mutating func claimAction(_ action: PreparedAction) -> Bool { base.claimAction(action) }
    mutating func releaseAction(_ actionID: String) { base.releaseAction(actionID) }
    mutating func existingMember(_ key: MemberKey) -> Int? { base.existingMember(key) }
    mutating func member(_ key: MemberKey, initial: () -> MemberState) -> Int { base.member(key, initial: initial) }
    mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R { base.withMember(handle, body) }
    mutating func claimOnce(_ handle: Int, rule: Int, key: String) -> Bool {
      base.claimOnce(handle, rule: rule, key: key)
    }
    mutating func record(_ outcome: Outcome) { base.record(outcome) }
    mutating func tierOverrides(scope: String?) -> TierOverrides? { nil }
    mutating func setting(_ key: SettingKey) -> String? { base.setting(key) }
    mutating func setSetting(_ key: SettingKey, to value: String?) { base.setSetting(key, to: value) }
    mutating func loadMembers(inScope scope: String?) -> [(member: MemberID, handle: Int)] {
      base.loadMembers(inScope: scope)
    }
    mutating func appendAudit(_ entry: AuditEntry) { base.appendAudit(entry) }
    mutating func enqueue(_ events: [OutboxEvent]) { base.enqueue(events) }
    mutating func removeBadge(_ handle: Int, badge: String, key: String?) {
      base.removeBadge(handle, badge: badge, key: key)
    }
  }

  func transaction<R: Sendable>(
    reading footprint: BatchFootprint, _ body: @escaping @Sendable (inout Transaction) throws -> R
  ) async throws -> R {
    try await base.transaction(reading: footprint) { inner in
      var wrapped = Transaction(base: inner)
      defer { inner = wrapped.base }
      return try body(&wrapped)
    }
  }

  func members() async throws -> [(MemberID, MemberState)] { try await base.members() }
  func tierOverrides(scope: String?) async throws -> TierOverrides { try await base.tierOverrides(scope: scope) }
  func settings(
    _ kind: SettingKey.Kind, scope: String?, prefix: String
  ) async throws -> [(key: SettingKey, value: String)] {
    try await base.settings(kind, scope: scope, prefix: prefix)
  }
  func auditLog(limit: Int, offset: Int) async throws -> [AuditEntry] {
    try await base.auditLog(limit: limit, offset: offset)
  }
  func ledger(of member: MemberID, limit: Int, offset: Int) async throws -> [LedgerEntry] {
    try await base.ledger(of: member, limit: limit, offset: offset)
  }
  func standings(_ query: StandingsQuery) async throws -> StandingsPage { try await base.standings(query) }
  func activity(of member: MemberID) async throws -> (first: Timestamp, last: Timestamp)? {
    try await base.activity(of: member)
  }
  func memberPage(
    scope: String?, prefix: String, limit: Int, offset: Int
  ) async throws -> (total: Int, members: [(MemberID, MemberState)]) {
    try await base.memberPage(scope: scope, prefix: prefix, limit: limit, offset: offset)
  }
  func badgeHolders(_ badge: String, scope: String?, limit: Int, offset: Int) async throws -> [BadgeAward] {
    try await base.badgeHolders(badge, scope: scope, limit: limit, offset: offset)
  }

  func outbox(after sequence: Int64, limit: Int) async throws -> [OutboxEvent] {
    try await base.outbox(after: sequence, limit: limit)
  }

  func outboxEnd() async throws -> Int64 { try await base.outboxEnd() }
}
