import Foundation
import Laurel
import LaurelReplay
import LaurelReports
@testable import LaurelSQLite
import Testing

/// The importer writes each batch while it plans the next one. Whatever it
/// plans ahead must end exactly where ordinary batches, applied one after
/// another, end; and a plan whose premises broke (another writer, ids logged
/// before) must be applied again, not written.
@Suite struct SQLiteImporterTests {
  let folder: URL
  /// Removed with the suite instance, after each test.
  let temporary: TemporaryFolder
  let rules = try! Scenario("community-points.yaml").rules

  init() throws {
    temporary = try TemporaryFolder("laurel-importer")
    folder = temporary.url
  }

  func file(_ name: String) -> String { folder.appendingPathComponent(name).path }

  func post(_ id: String, by user: String, in community: String = "c1") -> String {
    #"{"id":"\#(id)","type":"post_created","at":"2026-03-01T10:00:00Z","community":"\#(community)","user":"\#(user)","author":"\#(user)","post":"p-\#(id)"}"#
  }

  func unlike(_ id: String, of author: String) -> String {
    #"{"id":"\#(id)","type":"post_unliked","at":"2026-03-01T11:00:00Z","community":"c1","user":"x","author":"\#(author)"}"#
  }

  func lesson(_ id: String, _ lesson: String, by user: String) -> String {
    #"{"id":"\#(id)","type":"lesson_completed","at":"2026-03-01T12:00:00Z","community":"c1","user":"\#(user)","lesson":"\#(lesson)"}"#
  }

  func decode(_ lines: [String]) throws -> [PreparedAction] {
    var decoder = ActionDecoder(rules: rules)
    decoder.keepsSource = true
    return try lines.map { try decoder.decode($0) }
  }

  /// Batches through the importer, and the same batches applied in order in memory.
  func importAndReplay(
    _ batches: [[String]], into store: SQLiteStore, between: (Int) async throws -> Void = { _ in }
  ) async throws -> (
    importer: SQLiteImporter<Int>, outcomes: [[Outcome]], expected: [[Outcome]], reference: InMemoryStore
  ) {
    let importer = try SQLiteImporter<Int>(engine: Engine(rules: rules, store: store))
    // Each write waits long enough for the next batch to be planned while it is in flight.
    importer.beforeEachWrite = { usleep(100_000) }
    importer.smallestPlannedBatch = 1
    var outcomes = Array(repeating: [Outcome](), count: batches.count)
    for (number, batch) in batches.enumerated() {
      for done in try await importer.submit(try decode(batch), tag: number) { outcomes[done.tag] = done.outcomes }
      try await between(number)
    }
    for done in try await importer.finish() { outcomes[done.tag] = done.outcomes }
    let reference = InMemoryStore()
    let engine = Engine(rules: rules, store: reference)
    var expected: [[Outcome]] = []
    for batch in batches { expected.append(try await engine.applyBatch(try decode(batch))) }
    return (importer, outcomes, expected, reference)
  }

  func expectSameMembers(_ store: SQLiteStore, _ reference: InMemoryStore) async throws {
    let stored = try await store.members()
    let expected = try await reference.members()
    #expect(stored.map(\.0) == expected.map(\.0))
    #expect(stored.map(\.1) == expected.map(\.1))
  }

  @Test func batchesPlannedAheadEndWhereOrdinaryBatchesEnd() async throws {
    let batches = [
      [post("a1", by: "u1"), post("a2", by: "u2"), lesson("a3", "L1", by: "u1")],
      // L1 again: the key is in the file by now. u3 is new.
      [lesson("b1", "L1", by: "u1"), post("b2", by: "u3"), unlike("b3", of: "u2")],
      [lesson("c1", "L2", by: "u3"), post("c2", by: "u1"), post("c3", by: "u5")],
      // L2 again while the batch that claimed it is still being written; c2's id again;
      // u5 was created by the batch in flight.
      [lesson("d1", "L2", by: "u3"), post("c2", by: "u1"), unlike("d2", of: "u5"), unlike("d3", of: "u5")],
      // An action rejected (no author), then its id sent again, valid; an id twice in one batch.
      [
        #"{"id":"e1","type":"post_liked","at":"2026-03-01T10:00:00Z","community":"c1","user":"x"}"#,
        post("e1", by: "u4"), post("e2", by: "u4"), post("e2", by: "u4"), lesson("e3", "L1", by: "u4"),
      ],
    ]
    let store = try SQLiteStore(path: file("planned.sqlite"))
    let run = try await importAndReplay(batches, into: store)
    #expect(run.importer.statistics.planned == 4)
    #expect(run.importer.statistics.replanned == 0)
    #expect(run.outcomes.map { $0.map(\.status) } == run.expected.map { $0.map(\.status) })
    #expect(run.outcomes.map { $0.map(\.ledger) } == run.expected.map { $0.map(\.ledger) })
    try await expectSameMembers(store, run.reference)
    let counts = try await store.eventCounts()
    #expect((counts.read, counts.applied, counts.duplicates, counts.rejected) == (18, 15, 2, 1))
    let logged = try await store.loggedActions(limit: 100).map(\.id)
    #expect(logged == ["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3", "d1", "d2", "d3", "e1", "e2", "e3"])
    // Every ledger row belongs to the member the reference credited.
    let u5 = try await store.ledger(of: MemberID(scope: "c1", user: "u5"))
    #expect(u5.map(\.amount) == [-1, -1, 2])
  }

  @Test func aBatchPlannedWhileAnotherProcessWroteIsAppliedAgain() async throws {
    let path = file("shared.sqlite")
    let store = try SQLiteStore(path: path)
    let other = Engine(rules: rules, store: try SQLiteStore(path: path))
    let batches = [
      [post("a1", by: "u1")], [post("b1", by: "u1")], [post("c1", by: "u1")], [post("d1", by: "u1")],
    ]
    // Another connection credits u1 after the second batch was handed to the writer:
    // the third, planned from the cache, must not overwrite that.
    let run = try await importAndReplay(batches, into: store) { number in
      if number == 1 { _ = try await other.apply(json: post("x1", by: "u1")) }
    }
    #expect(run.importer.statistics.replanned >= 1)
    let u1 = try await store.state(of: MemberID(scope: "c1", user: "u1"))
    #expect(u1?.balances[0] == 10)
    #expect(try await store.eventCounts().applied == 4)
  }

  @Test func aWriteThroughTheSameStoreWhileABatchIsInFlightIsNeitherLostNorCountedTwice() async throws {
    let store = try SQLiteStore(path: file("same.sqlite"))
    let host = Engine(rules: rules, store: store)
    let batches = [[post("a1", by: "u1")], [post("b1", by: "u1")], [post("c1", by: "u1")], [post("d1", by: "u1")]]
    // The host credits u1 while the second batch waits to be written: the host must not see that
    // batch's unwritten state, and the batch must not overwrite the host's write.
    let run = try await importAndReplay(batches, into: store) { number in
      if number == 1 { _ = try await host.apply(json: post("x1", by: "u1")) }
    }
    #expect(run.importer.statistics.replanned >= 1)
    #expect(try await store.state(of: MemberID(scope: "c1", user: "u1"))?.balances[0] == 10)
    #expect(try await store.ledger(of: MemberID(scope: "c1", user: "u1")).map(\.balance) == [10, 8, 6, 4, 2])
  }

  @Test func aBatchPlannedOnIDsLoggedBeforeIsAppliedAgainAndReportsThemAsDuplicates() async throws {
    let store = try SQLiteStore(path: file("resumed.sqlite"))
    _ = try await Engine(rules: rules, store: store).applyBatch(
      try decode([post("b1", by: "u1"), post("b2", by: "u2")]))
    let batches = [
      [post("a1", by: "u1")],
      [post("b1", by: "u1"), post("b2", by: "u2"), post("b3", by: "u2")],
      [post("c1", by: "u1")],
    ]
    let run = try await importAndReplay(batches, into: store)
    #expect(run.importer.statistics.replanned >= 1)
    #expect(run.outcomes[1].map(\.status) == [.duplicate, .duplicate, .applied])
    #expect(try await store.state(of: MemberID(scope: "c1", user: "u1"))?.balances[0] == 6)
    #expect(try await store.state(of: MemberID(scope: "c1", user: "u2"))?.balances[0] == 4)
  }

  @Test func smallBatchesAreAppliedInOrderWithoutPlanningAhead() async throws {
    let store = try SQLiteStore(path: file("small.sqlite"))
    let importer = try SQLiteImporter<Int>(engine: Engine(rules: rules, store: store))
    for number in 0..<3 {
      _ = try await importer.submit(try decode([post("s\(number)", by: "u1")]), tag: number)
    }
    _ = try await importer.finish()
    #expect(importer.statistics == (ordinary: 3, planned: 0, replanned: 0))
    #expect(try await store.state(of: MemberID(scope: "c1", user: "u1"))?.balances[0] == 6)
  }

  @Test func aStatePlannedBeforeTheWriterLearntTheMembersRowKeepsThatRow() {
    let cache = MemberCache()
    let key = MemberKey(MemberID(scope: "c1", user: "u1"))
    var state = rules.initialState()
    cache.store(key, rowID: nil, version: 0, state: state)  // planned: a new member
    cache.assign(key, rowID: 42)  // the writer inserted it
    state.balances[0] = 2
    cache.store(key, rowID: nil, version: 1, state: state)  // the next batch, planned meanwhile
    #expect(cache.entry(key)?.rowID == 42)
    #expect(cache.entry(key)?.state.balances[0] == 2)
  }
}
