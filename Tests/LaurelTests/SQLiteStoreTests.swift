import Foundation
import GRDB
import Laurel
import LaurelReplay
import LaurelReports
import LaurelExpression
@testable import LaurelSQLite
import Testing

/// The SQLite store's own promises beyond the conformance suite: migration
/// from schema v1, the action log, level distribution, and clear errors that
/// leave the file untouched (read-only, damaged, full).
@Suite struct SQLiteStoreTests {
  let folder: URL
  /// Removed with the suite instance, after each test.
  let temporary: TemporaryFolder
  let rules = try! Scenario("community-points.yaml").rules

  init() throws {
    temporary = try TemporaryFolder("laurel-sqlite")
    folder = temporary.url
  }

  func file(_ name: String) -> String { folder.appendingPathComponent(name).path }

  func like(_ id: String, author: String, community: String = "c1", at: String = "2026-03-01T10:00:00Z") -> String {
    #"{"id":"\#(id)","type":"post_liked","at":"\#(at)","community":"\#(community)","user":"x","author":"\#(author)"}"#
  }

  /// Applies `count` likes for `author` with ids `prefix-0`…
  func likes(_ engine: Engine<SQLiteStore>, _ count: Int, author: String, prefix: String) async throws {
    for i in 0..<count { _ = try await engine.apply(json: like("\(prefix)-\(i)", author: author)) }
  }

  @Test func migratesAVersion1DatabaseForward() async throws {
    let path = file("v1.sqlite")
    var state = rules.initialState()
    state.balances[0] = 7
    state.tiers[0] = 2
    do {
      let queue = try DatabaseQueue(path: path)
      try SQLiteSchema.migrator.migrate(queue, upTo: "v1")
      let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
      try await queue.write { db in
        try db.execute(
          sql: "INSERT INTO members (scope, scope_key, user, state, updated_at) VALUES ('c1', 's:c1', 'alice', ?, 0)",
          arguments: [json])
        try db.execute(sql: "INSERT INTO processed_actions (id) VALUES ('old-1')")
        try db.execute(
          sql: """
            INSERT INTO ledger (member_id, currency, amount, balance, rule, action_id, at, scheme)
            VALUES (1, 'points', 7, 7, 'post_liked', 'old-1', 0, '')
            """)
      }
      try queue.close()
    }
    let store = try SQLiteStore(path: path)
    #expect(
      try await store.state(of: MemberID(scope: "c1", user: "alice")) == state, "the JSON state became the binary one")
    let engine = Engine(rules: rules, store: store)
    #expect(
      try await engine.apply(json: like("old-1", author: "alice")).status == .duplicate,
      "v1's processed ids still count")
    #expect(try await engine.apply(json: like("new-1", author: "alice")).status == .applied)
    #expect(try await store.state(of: MemberID(scope: "c1", user: "alice"))?.balances[0] == 8)
    let ledger = try await store.ledger(of: MemberID(scope: "c1", user: "alice"))
    #expect(ledger.map(\.actionID) == ["new-1", "old-1"])
    #expect(try await store.loggedActions().map(\.id) == ["old-1", "new-1"])
  }

  @Test func logsEveryKeptActionAsReceivedWithTheRulesVersion() async throws {
    let store = try SQLiteStore(path: file("log.sqlite"))
    let version = try store.adopt(rules, files: [("rules.yaml", "text")]).version
    #expect(
      try store.adopt(rules, files: [("rules.yaml", "text")]).version == version, "the same files are the same version")
    #expect(try store.adopt(rules, files: [("rules.yaml", "other text")]).version != version)
    #expect(
      try store.adopt(rules, files: [("rules.yaml", "text")]).version == version,
      "switching back names the old version again")
    let engine = Engine(rules: rules, store: store)
    let liked = like("a-1", author: "bob")
    let ignored = #"{"id":"a-2","type":"profile_viewed","at":"2026-03-01T10:00:00Z","user":"x","community":"c1"}"#
    let rejected = #"{"id":"a-3","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"x"}"#
    #expect(try await engine.apply(json: liked).status == .applied)
    #expect(try await engine.apply(json: ignored).status == .ignored)
    if case .rejected = try await engine.apply(json: rejected).status {
    } else {
      Issue.record("an action without community was not rejected")
    }
    let log = try await store.loggedActions()
    #expect(log.map(\.id) == ["a-1", "a-2"], "rejected actions are not kept")
    #expect(log.map(\.json) == [liked, ignored])
    #expect(log.allSatisfy { $0.rulesVersion == version })
    #expect(try await store.loggedActions(after: log[0].sequence).map(\.id) == ["a-2"])
    let rows = try await DatabaseQueue(path: store.path).read {
      try Int64.fetchAll($0, sql: "SELECT rules_version FROM ledger")
    }
    #expect(rows == [version])
  }

  @Test func countsMembersPerTierInAScope() async throws {
    try await checkLevels(Engine(rules: rules, store: try SQLiteStore(path: file("levels.sqlite"))))
    try await checkLevels(Engine(rules: rules, store: InMemoryStore()))
  }

  func checkLevels<S: Store>(_ engine: Engine<S>) async throws {
    for (user, likes) in [("ann", 5), ("ben", 21), ("cy", 1)] {  // Learner, Builder, Student
      for i in 0..<likes { _ = try await engine.apply(json: like("\(user)-\(i)", author: user)) }
    }
    _ = try await engine.apply(json: like("other", author: "dan", community: "c2"))
    let levels = try await engine.levelDistribution(ladder: "level", scope: "c1")
    #expect(levels.map(\.tier) == rules.tierNames(of: "level")!)
    #expect(levels.prefix(3).map(\.members) == [1, 1, 1])
    #expect(levels.dropFirst(3).allSatisfy { $0.members == 0 })
    await #expect(throws: QueryError.self) { try await engine.levelDistribution(ladder: "rank", scope: "c1") }
  }

  @Test func recordsEachBadgeEarnedOnceInTheBadgesTable() async throws {
    let xp = try Scenario("xp-grades-badges.yaml").rules
    var decoder = ActionDecoder(rules: xp)
    decoder.keepsSource = true
    func messages(_ user: String, _ count: Int, module: String, day: Int) throws -> [PreparedAction] {
      try (0..<count).map { i in
        try decoder.decode(
          #"{"id":"\#(user)-\#(day)-\#(i)","type":"group_message_created","at":"2026-03-0\#(day)T10:00:00Z","user":"\#(user)","module":"\#(module)"}"#
        )
      }
    }
    let store = try SQLiteStore(path: file("badges.sqlite"))
    let importer = try SQLiteImporter<Int>(engine: Engine(rules: xp, store: store))
    importer.smallestPlannedBatch = 1
    // The first batch is applied the ordinary way (bob's badge), the next ones are planned ahead (ann's).
    _ = try await importer.submit(
      try messages("bob", 250, module: "m1", day: 1) + messages("ann", 130, module: "m1", day: 1), tag: 1)
    _ = try await importer.submit(try messages("ann", 130, module: "m1", day: 2), tag: 2)
    _ = try await importer.submit(
      try messages("ann", 10, module: "m2", day: 3) + messages("bob", 5, module: "m1", day: 3), tag: 3)
    _ = try await importer.finish()
    #expect(importer.statistics.planned == 2)
    let holders = try await store.badgeHolders("module_expert_contributor")
    #expect(holders.map(\.member.user) == ["bob", "ann"])
    #expect(holders.map(\.key) == ["m1", "m1"])
    #expect(
      holders.map(\.at) == [
        try Timestamp(rfc3339: "2026-03-01T10:00:00Z"), try Timestamp(rfc3339: "2026-03-02T10:00:00Z"),
      ])
    let stored = try await store.state(of: MemberID(scope: nil, user: "ann"))?.badges.count
    #expect(stored == 1)
  }

  @Test func backgroundCheckpointsKeepTheWriteAheadLogSmallUnderSteadyCommits() async throws {
    let path = file("wal.sqlite")
    let store = try SQLiteStore(path: path, options: .init(checkpointPages: 64))
    let engine = Engine(rules: rules, store: store)
    // Each commit writes several pages: were the log never started over, 3,000
    // commits would leave it over 30 MiB.
    try await likes(engine, 3000, author: "ann", prefix: "w")
    let log = try #require(try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
    #expect(log < 8 << 20, "the write-ahead log grew to \(log) bytes")
    let state = try #require(try await store.state(of: MemberID(scope: "c1", user: "ann")))
    #expect(state.balances[0] == 3000)
  }

  @Test func aFullDiskFailsTheTransactionWithAClearErrorAndKeepsNothingOfIt() async throws {
    let path = file("full.sqlite")
    let store = try SQLiteStore(path: path, options: .init(maxSizeMiB: 1))
    let engine = Engine(rules: rules, store: store)
    var batch = 0
    var failure: (any Error)?
    var before: [(MemberID, MemberState)] = []
    var logged = 0
    while failure == nil && batch < 200 {
      before = try await store.members()
      logged = try await store.loggedActions(limit: 1_000_000).count
      let actions = try (0..<500).map { i in
        try ActionDecoder(rules: rules).decode(like("b\(batch)-\(i)", author: "u\(batch)-\(i % 50)"))
      }
      do { _ = try await engine.applyBatch(actions) } catch { failure = error }
      batch += 1
    }
    let error = try #require(failure as? SQLiteStore.WriteError, "the store never filled up")
    #expect(error.description.hasSuffix("the transaction was rolled back, nothing was written: the disk is full"))
    let after = try await store.members()
    #expect(
      after.map(\.0) == before.map(\.0) && after.map(\.1) == before.map(\.1), "no member of the failed batch changed")
    #expect(try await store.loggedActions(limit: 1_000_000).count == logged, "no id of the failed batch was recorded")
  }

  @Test func aDamagedFileGivesAClearErrorAndIsLeftUntouched() async throws {
    let path = file("damaged.sqlite")
    do {
      let store = try SQLiteStore(path: path)
      try await likes(Engine(rules: rules, store: store), 20, author: "ann", prefix: "d")
      try store.checkpoint()
    }
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    for i in 100..<min(4096, bytes.count) { bytes[i] = 0xA5 }  // the schema page
    try bytes.write(to: URL(fileURLWithPath: path))
    do {
      _ = try SQLiteStore(path: path)
      Issue.record("a damaged file was opened")
    } catch let error as SQLiteStore.OpenError {
      #expect(error.description.hasPrefix("\(path) cannot be used as a Laurel store: "), "\(error)")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
  }

  @Test(.enabled(if: ReadOnlyFile.canBeMade, "this machine cannot make a file read-only for its user"))
  func aReadOnlyFileGivesAClearErrorAndIsLeftUntouched() async throws {
    let path = file("readonly.sqlite")
    do {
      let store = try SQLiteStore(path: path)
      try await likes(Engine(rules: rules, store: store), 3, author: "ann", prefix: "r")
      try store.checkpoint()
    }
    try? FileManager.default.removeItem(atPath: path + "-wal")
    try? FileManager.default.removeItem(atPath: path + "-shm")
    let original = try Data(contentsOf: URL(fileURLWithPath: path))
    try ReadOnlyFile.make(path)
    defer { ReadOnlyFile.undo(path) }
    do {
      let store = try SQLiteStore(path: path)
      _ = try await Engine(rules: rules, store: store).apply(json: like("r-new", author: "ann"))
      Issue.record("a read-only file was written")
    } catch let error as SQLiteStore.OpenError {
      #expect(error.description.contains("cannot be written"), "\(error)")
    } catch let error as SQLiteStore.WriteError {
      #expect(error.description.contains("cannot be written"), "\(error)")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
  }
}

/// Makes a file unwritable even for root (`chattr +i`), else by mode.
enum ReadOnlyFile {
  static let canBeMade: Bool = {
    let probe = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-ro-\(UUID().uuidString)").path
    guard FileManager.default.createFile(atPath: probe, contents: Data("x".utf8)) else { return false }
    defer {
      undo(probe)
      try? FileManager.default.removeItem(atPath: probe)
    }
    do { try make(probe) } catch { return false }
    return FileHandle(forWritingAtPath: probe) == nil
  }()

  static func make(_ path: String) throws {
    try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
    if getuid() == 0 { try chattr("+i", path) }
  }

  static func undo(_ path: String) {
    if getuid() == 0 { try? chattr("-i", path) }
    try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
  }

  private static func chattr(_ flag: String, _ path: String) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
    p.arguments = [flag, path]
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteNoPermission) }
  }
}
