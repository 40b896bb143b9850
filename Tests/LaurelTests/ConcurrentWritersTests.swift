import Foundation
import GRDB
import Laurel
import LaurelReplay
import LaurelReports
@testable import LaurelSQLite
import Testing

/// Two writers with connections of their own (as two processes have) apply
/// interleaved halves of one history to one SQLite file at the same time.
/// Whatever order their transactions commit in, the store must be the one
/// those transactions give applied one after another: every member's ledger
/// is an unbroken chain, and replaying the store's own action log in commit
/// order gives exactly the stored members.
@Suite struct ConcurrentWritersTests {
  let rules = try! Scenario("community-points.yaml").rules
  let folder: URL
  /// Removed with the suite instance, after each test.
  let temporary: TemporaryFolder

  init() throws {
    temporary = try TemporaryFolder("laurel-writers")
    folder = temporary.url
  }

  /// Batch sizes through the importer (1 commits each action alone; from 64
  /// up batches are planned ahead), with a history long enough to interleave.
  @Test(arguments: [(1, 1_600), (200, 8_000), (500, 12_000), (2_000, 16_000)])
  func twoWritersOnOneFileLoseNoUpdate(batch: Int, actions: Int) async throws {
    for repetition in 1...3 {
      let history = CommunityHistory.lines(count: actions, seed: UInt64(repetition))
      let path = folder.appendingPathComponent("b\(batch)-r\(repetition).sqlite").path
      _ = try SQLiteStore(path: path)  // the schema, before both writers start
      let halves = [0, 1].map { half in history.enumerated().filter { $0.offset % 2 == half }.map(\.element) }
      try await withThrowingTaskGroup(of: Void.self) { group in
        for half in halves {
          group.addTask { [rules] in try await Self.ingest(half, into: path, rules: rules, batch: batch) }
        }
        try await group.waitForAll()
      }
      let store = try SQLiteStore(path: path)
      let breaks = try Self.ledgerChainBreaks(path)
      #expect(breaks.isEmpty, "batch \(batch), run \(repetition): ledger chains broken: \(breaks.prefix(5))")
      let replayed = try await replayActionLog(of: store)
      let stored = try await store.members()
      let differing = zip(stored, replayed).filter { $0.0 != $0.1 }.map(\.0.0)
      #expect(
        stored.count == replayed.count && differing.isEmpty,
        "batch \(batch), run \(repetition): \(differing.count) members differ from the replay, e.g. \(differing.prefix(5))"
      )
      #expect(try await store.eventCounts().applied == actions)
    }
  }

  /// One writer: its own store, connection and importer.
  static func ingest(_ lines: [String], into path: String, rules: CompiledRules, batch: Int) async throws {
    let store = try SQLiteStore(path: path)
    let importer = try SQLiteImporter<Int>(engine: Engine(rules: rules, store: store))
    var decoder = ActionDecoder(rules: rules)
    decoder.keepsSource = true
    var start = 0
    while start < lines.count {
      let chunk = lines[start..<min(lines.count, start + batch)]
      _ = try await importer.submit(try chunk.map { try decoder.decode($0) }, tag: start)
      start += batch
    }
    _ = try await importer.finish()
  }

  /// Ledger rows whose balance is not the member's previous balance in that
  /// currency plus the row's amount.
  static func ledgerChainBreaks(_ path: String) throws -> [String] {
    try DatabaseQueue(path: path).read { db in
      var last: [String: Int64] = [:]
      var breaks: [String] = []
      for row in try Row.fetchAll(db, sql: "SELECT id, member_id, currency, amount, balance FROM ledger ORDER BY id") {
        let key = "\(row["member_id"] as Int64)/\(row["currency"] as String)"
        let (amount, balance): (Int64, Int64) = (row["amount"], row["balance"])
        if let previous = last[key], previous + amount != balance {
          breaks.append("row \(row["id"] as Int64): \(previous) + \(amount) != \(balance)")
        }
        last[key] = balance
      }
      return breaks
    }
  }

  /// The store's action log, in commit order, applied in memory.
  func replayActionLog(of store: SQLiteStore) async throws -> [(MemberID, MemberState)] {
    let reference = InMemoryStore()
    let engine = Engine(rules: rules, store: reference)
    let decoder = ActionDecoder(rules: rules)
    var after: Int64 = 0
    while case let page = try await store.loggedActions(after: after, limit: 5_000), let last = page.last {
      _ = try await engine.applyBatch(try page.map { try decoder.decode($0.json!) })
      after = last.sequence
    }
    return try await reference.members()
  }
}
