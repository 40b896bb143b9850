import Foundation
import Laurel
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
  @Test func sqliteAndInMemoryRankEveryPageAlike() async throws {
    let rules = try AdminConformance.rules()
    let memory = Engine(rules: rules, store: InMemoryStore())
    let sqlite = Engine(rules: rules, store: try SQLiteStore(path: ":memory:"))
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
    for line in lines {
      _ = try await memory.apply(json: line)
      _ = try await sqlite.apply(json: line)
    }
    let now = try Timestamp(rfc3339: "2026-02-28T12:00:00Z")
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
    let board = try await memory.leaderboard("top", window: .allTime, scope: "c1", limit: 100, now: now)
    // Ties exist, and share ranks.
    #expect(Set(board.entries.map(\.rank)).count < board.entries.count)
  }
}
