import Foundation
import Laurel
import LaurelPostgres
import Testing

/// Several `laurel ingest` processes on one PostgreSQL database, and a
/// server that dies under an ingest: nothing lost, nothing counted twice.
@Suite(.serialized) struct PostgresWritersTests {
  let temporary: TemporaryFolder
  let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("rules/community-points.yaml").path

  init() throws { temporary = try TemporaryFolder("laurel-pg-writers") }

  /// Writes `lines` to a JSONL file in the test's folder.
  func file(_ name: String, _ lines: [String]) throws -> String {
    let path = temporary.url.appendingPathComponent(name).path
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Starts `laurel` with `arguments`; its standard error goes to a file.
  func launch(_ arguments: [String], log: String) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try BuiltLaurel.path)
    process.arguments = arguments
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    return process
  }

  /// The store's action log, in the order it was committed, as a JSONL file.
  func log(of url: String) async throws -> String {
    let store = try await PostgresStore(url: url)
    var lines: [String] = []
    var after: Int64 = 0
    while case let page = try await store.loggedActions(after: after, limit: 5_000), let last = page.last {
      lines += page.map { $0.json ?? "" }
      after = last.sequence
    }
    await store.close()
    return try file("log.jsonl", lines)
  }

  /// Four processes ingest interleaved quarters of one history at once; the
  /// store equals `laurel simulate` of the history in the order the store
  /// committed it (a serial order of the four writers' batches), member by
  /// member, and every action is applied exactly once.
  @Test func fourProcessesIngestingOneHistoryLoseNothing() async throws {
    guard let url = try await TestPostgres.freshStoreURL() else { return }
    let history = CommunityHistory.lines(count: 12_000, seed: 19)
    // The schema and rules first, so the four start on a prepared database.
    let empty = try file("empty.jsonl", [])
    #expect(try await BuiltLaurel.run(["ingest", "--rules", rules, "--store", url, "--events", empty]) == 0)
    let shards = try (0..<4).map { shard in
      try file("shard\(shard).jsonl", history.enumerated().filter { $0.offset % 4 == shard }.map(\.element))
    }
    let writers = try shards.enumerated().map { i, shard in
      try launch(
        ["ingest", "--rules", rules, "--store", url, "--events", shard, "--batch", "150"],
        log: temporary.url.appendingPathComponent("writer\(i).log").path)
    }
    try await onOwnThread { for writer in writers { writer.waitUntilExit() } }
    for (i, writer) in writers.enumerated() {
      let log = try String(contentsOf: temporary.url.appendingPathComponent("writer\(i).log"), encoding: .utf8)
      #expect(writer.terminationStatus == 0, "writer \(i): \(log)")
    }
    let stored = try await BuiltLaurel.output(["export", "--store", url])
    let serial = try await BuiltLaurel.output([
      "simulate", "--rules", rules, "--events", try await log(of: url), "--format", "json",
    ])
    let storedMembers = try Self.members(stored)
    let serialMembers = try Self.members(serial)
    #expect(storedMembers.count == serialMembers.count && storedMembers.count > 100)
    let differing = storedMembers.keys.filter { storedMembers[$0] != serialMembers[$0] }.sorted()
    #expect(differing.isEmpty, "\(differing.count) members differ from the serial replay, e.g. \(differing.prefix(3))")
    let store = try await PostgresStore(url: url)
    let counts = try await store.eventCounts()
    await store.close()
    #expect(counts.applied == history.count && counts.duplicates == 0, "\(counts)")
  }

  /// The server is stopped like a crash (`pg_ctl stop -m immediate`) in the
  /// middle of an ingest and started again; the same ingest run once more
  /// gives exactly what a clean run gives.
  @Test func anIngestCutByAServerCrashCompletesWhenRunAgain() async throws {
    guard try await TestPostgres.shared() != nil else { return }
    let cluster = try await onOwnThread { try TestPostgres.Cluster.start(durable: true) }
    defer { cluster.remove() }
    let history = try file("history.jsonl", CommunityHistory.lines(count: 20_000, seed: 23))
    let crashed = cluster.url + "&schema=crashed"
    let clean = cluster.url + "&schema=clean"
    #expect(try await BuiltLaurel.run(["ingest", "--rules", rules, "--store", clean, "--events", history]) == 0)
    let ingest = ["ingest", "--rules", rules, "--store", crashed, "--events", history, "--batch", "200"]
    let cut = try launch(ingest, log: temporary.url.appendingPathComponent("cut.log").path)
    // Stopped once part of the history is in: some batches committed, one in flight.
    // Watched from a thread of its own, which a busy test process cannot hold back.
    try await onOwnThread {
      let deadline = Date().addingTimeInterval(60)
      let applied = "SELECT coalesce(sum(value), 0) FROM crashed.counts WHERE name = 'applied'"
      while Date() < deadline, (try? cluster.answer(applied)).flatMap({ Int($0) }) ?? 0 < 2_000 {
        Thread.sleep(forTimeInterval: 0.05)
      }
      try cluster.stop(mode: "immediate")
    }
    try await onOwnThread { cut.waitUntilExit() }
    let cutLog = try String(contentsOf: temporary.url.appendingPathComponent("cut.log"), encoding: .utf8)
    #expect(cut.terminationStatus != 0, "the ingest went on without its server: \(cutLog)")
    #expect(cutLog.contains("laurel:"), "no clear error: \(cutLog)")
    #expect(!cutLog.contains("password"))
    try await onOwnThread { try cluster.startServer(durable: true) }
    #expect(try await BuiltLaurel.run(ingest) == 0)
    let again = try await BuiltLaurel.output(["export", "--store", crashed])
    let expected = try await BuiltLaurel.output(["export", "--store", clean])
    #expect(try Self.members(again) == Self.members(expected))
    let store = try await PostgresStore(url: crashed)
    let counts = try await store.eventCounts()
    await store.close()
    #expect(counts.applied == 20_000, "\(counts)")
  }

  /// `laurel rebuild` on PostgreSQL replays the log under new rules: the
  /// store equals one that ingested the same history under them, and its
  /// counts still say every action arrived once.
  @Test func rebuildReplaysTheLogUnderNewRules() async throws {
    guard let url = try await TestPostgres.freshStoreURL(), let fresh = try await TestPostgres.freshStoreURL() else {
      return
    }
    let history = try file("history.jsonl", CommunityHistory.lines(count: 3_000, seed: 29))
    let text = try String(contentsOfFile: rules, encoding: .utf8)
    let doubled = temporary.url.appendingPathComponent("doubled.yaml").path
    try text.replacingOccurrences(
      of: "post_liked:\n    - award: { points: 1 }", with: "post_liked:\n    - award: { points: 2 }"
    ).write(toFile: doubled, atomically: true, encoding: .utf8)
    #expect(try await BuiltLaurel.run(["ingest", "--rules", rules, "--store", url, "--events", history]) == 0)
    let before = try Self.members(try await BuiltLaurel.output(["export", "--store", url]))
    #expect(try await BuiltLaurel.run(["rebuild", "--rules", doubled, "--store", url]) == 0)
    #expect(try await BuiltLaurel.run(["ingest", "--rules", doubled, "--store", fresh, "--events", history]) == 0)
    let rebuilt = try Self.members(try await BuiltLaurel.output(["export", "--store", url]))
    let expected = try Self.members(try await BuiltLaurel.output(["export", "--store", fresh]))
    #expect(rebuilt == expected && rebuilt != before)
    let store = try await PostgresStore(url: url)
    let counts = try await store.eventCounts()
    await store.close()
    #expect(counts.read == 3_000, "\(counts)")
    // What the actions produced is counted under the new rules, as a fresh ingest counts it.
    let freshStore = try await PostgresStore(url: fresh)
    let freshCounts = try await freshStore.eventCounts()
    await freshStore.close()
    #expect(counts.notifications == freshCounts.notifications && counts.notifications.pointsAwarded > 0, "\(counts)")
  }

  /// A report's members by scope and user, each as its JSON text.
  static func members(_ report: String) throws -> [String: String] {
    guard let object = try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any],
      let members = object["members"] as? [[String: Any]]
    else { throw CocoaError(.coderReadCorrupt) }
    var result: [String: String] = [:]
    for member in members {
      let key = "\(member["scope"] ?? "-")/\(member["user"] ?? "")"
      let data = try JSONSerialization.data(withJSONObject: member, options: [.sortedKeys])
      result[key] = String(decoding: data, as: UTF8.self)
    }
    return result
  }
}
