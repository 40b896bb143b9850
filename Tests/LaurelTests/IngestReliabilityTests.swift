import Foundation
import GRDB
import Laurel
import LaurelReplay
import LaurelReports
import LaurelRules
import Testing

/// Crash safety and concurrent writers, with the real `laurel` binary on real files.
@Suite
struct IngestReliabilityTests {

  let folder: URL
  /// Removed with the suite instance, after each test.
  let temporary: TemporaryFolder
  let rules = Scenario.repository.appendingPathComponent("rules/community-points.yaml").path

  init() throws {
    temporary = try TemporaryFolder("laurel-ingest")
    folder = temporary.url
  }

  func generate(_ events: Int, seed: UInt64) throws -> URL {
    let file = folder.appendingPathComponent("events-\(events)-\(seed).jsonl")
    try CommunityHistory.write(CommunityHistory.lines(count: events, users: 3000, seed: seed), to: file)
    return file
  }

  @discardableResult
  func laurel(_ arguments: [String]) async throws -> String { try await BuiltLaurel.output(arguments) }

  /// The member lines of a report (everything after the counts).
  func members(_ report: String) -> [Substring] {
    report.split(separator: "\n").drop { !$0.hasPrefix("\"members\"") }.map { $0 }
  }

  /// How many actions a store being written by another process has read so far.
  static func actionsRead(_ store: String) -> Int {
    guard FileManager.default.fileExists(atPath: store) else { return 0 }
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(5)
    return
      (try? DatabaseQueue(path: store, configuration: configuration).read { db in
        try Int.fetchOne(db, sql: "SELECT value FROM counts WHERE name = 'read'")
      }) ?? 0
  }

  @Test func aKilledIngestResumesToExactlyTheSimulatedState() async throws {
    let events = try generate(60000, seed: 3)
    let store = folder.appendingPathComponent("killed.sqlite").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try BuiltLaurel.path)
    p.arguments = ["ingest", "--rules", rules, "--store", store, "--events", events.path, "--batch", "200"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    // Kill it once a few batches are in, while it is writing more: watched
    // from a thread of its own, which a busy test process cannot hold back
    // (a task's sleep can end long after its time, once the ingest is done).
    try await onOwnThread {
      let deadline = Date().addingTimeInterval(60)
      while Self.actionsRead(store) < 2000 && p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
      kill(p.processIdentifier, SIGKILL)
      p.waitUntilExit()
    }
    #expect(p.terminationReason == .uncaughtSignal, "the ingest was killed mid-way")
    let partial = Self.actionsRead(store)
    #expect(partial >= 2000 && partial < 60000, "the kill came mid-way (\(partial) actions were in)")
    try await laurel(["ingest", "--rules", rules, "--store", store, "--events", events.path, "--batch", "200"])
    let stored = try await laurel(["export", "--store", store])
    let simulated = try await laurel(["simulate", "--rules", rules, "--events", events.path, "--format", "json"])
    #expect(members(stored) == members(simulated), "no action lost, none counted twice")
  }

  /// Two `laurel ingest` processes on one file, each with every other line
  /// of one history (so they contend for the same members): the store must
  /// equal its own action log replayed by `laurel simulate`.
  @Test(arguments: [1, 500])
  func twoProcessesIngestingInterleavedHalvesLoseNoUpdate(batch: Int) async throws {
    let events = try generate(batch == 1 ? 3000 : 16000, seed: 5)
    let lines = try String(contentsOf: events, encoding: .utf8).split(separator: "\n")
    let a = folder.appendingPathComponent("a.jsonl")
    let b = folder.appendingPathComponent("b.jsonl")
    try CommunityHistory.write(lines.enumerated().filter { $0.offset % 2 == 0 }.map { String($0.element) }, to: a)
    try CommunityHistory.write(lines.enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }, to: b)
    let shared = folder.appendingPathComponent("shared.sqlite").path
    // Create the schema first, then start both writers at once.
    try await laurel(["ingest", "--rules", rules, "--store", shared, "--events", "/dev/null"])
    let executable = URL(fileURLWithPath: try BuiltLaurel.path)
    let writers = [a, b].map { file -> Process in
      let p = Process()
      p.executableURL = executable
      p.arguments = ["ingest", "--rules", rules, "--store", shared, "--events", file.path, "--batch", "\(batch)"]
      p.standardOutput = FileHandle.nullDevice
      p.standardError = FileHandle.nullDevice
      return p
    }
    for p in writers { try p.run() }
    try await onOwnThread { for p in writers { p.waitUntilExit() } }
    #expect(writers.allSatisfy { $0.terminationStatus == 0 })
    #expect(try ConcurrentWritersTests.ledgerChainBreaks(shared).isEmpty)
    // The action log in commit order, replayed.
    let log = folder.appendingPathComponent("log.jsonl")
    let bodies = try await DatabaseQueue(path: shared).read {
      try String.fetchAll($0, sql: "SELECT body FROM actions ORDER BY seq")
    }
    #expect(bodies.count == lines.count)
    try CommunityHistory.write(bodies, to: log)
    let stored = try await laurel(["export", "--store", shared])
    let replayed = try await laurel(["simulate", "--rules", rules, "--events", log.path, "--format", "json"])
    #expect(members(stored) == members(replayed))
    #expect(members(stored).count > 100)
  }
}
