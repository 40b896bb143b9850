import Foundation
import GRDB
import Laurel
import LaurelRules
import Testing

/// The `laurel` executable `swift build` produced, if any.
enum BuiltLaurel {
  static let path: String? = {
    let path = Scenario.repository.appendingPathComponent(".build/debug/laurel").path
    return FileManager.default.isExecutableFile(atPath: path) ? path : nil
  }()
}

/// Crash safety and concurrent writers, with the real `laurel` binary on real files.
@Suite(.enabled(if: SharedBench.url != nil && BuiltLaurel.path != nil, "needs ../shared/bench and a built laurel"))
struct IngestReliabilityTests {
  static var laurel: String? { BuiltLaurel.path }

  let folder: URL
  let rules = Scenario.repository.appendingPathComponent("rules/community-points.yaml").path

  init() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-ingest-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  func generate(_ events: Int, seed: Int) throws -> URL {
    let file = folder.appendingPathComponent("events-\(events)-\(seed).jsonl")
    _ = try DiffTests.python(["gen_events.py", "--events", "\(events)", "--communities", "6", "--users", "3000", "--seed", "\(seed)"], to: file)
    return file
  }

  @discardableResult
  func laurel(_ arguments: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Self.laurel!)
    p.arguments = arguments
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  /// The member lines of a report (everything after the counts).
  func members(_ report: String) -> [Substring] { report.split(separator: "\n").drop { !$0.hasPrefix("\"members\"") }.map { $0 } }

  /// How many actions a store being written by another process has read so far.
  func actionsRead(_ store: String) -> Int {
    guard FileManager.default.fileExists(atPath: store) else { return 0 }
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(5)
    return (try? DatabaseQueue(path: store, configuration: configuration).read { db in
      try Int.fetchOne(db, sql: "SELECT value FROM counts WHERE name = 'read'")
    }) ?? 0
  }

  @Test func aKilledIngestResumesToExactlyTheSimulatedState() throws {
    let events = try generate(60000, seed: 3)
    let store = folder.appendingPathComponent("killed.sqlite").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Self.laurel!)
    p.arguments = ["ingest", "--rules", rules, "--store", store, "--events", events.path, "--batch", "200"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    // Kill it once a few batches are in, while it is writing more.
    let deadline = Date().addingTimeInterval(60)
    while actionsRead(store) < 2000 && p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    #expect(p.terminationReason == .uncaughtSignal, "the ingest was killed mid-way")
    let partial = actionsRead(store)
    #expect(partial >= 2000 && partial < 60000, "the kill came mid-way (\(partial) actions were in)")
    try laurel(["ingest", "--rules", rules, "--store", store, "--events", events.path, "--batch", "200"])
    let stored = try laurel(["export", "--store", store])
    let simulated = try laurel(["simulate", "--rules", rules, "--events", events.path, "--format", "json"])
    #expect(members(stored) == members(simulated), "no action lost, none counted twice")
  }

  @Test func twoProcessesIngestingHalvesMatchOneIngestingTheWhole() throws {
    let events = try generate(16000, seed: 5)
    // Halves by community, so the two writers touch disjoint members and order cannot matter.
    let lines = try String(contentsOf: events, encoding: .utf8).split(separator: "\n")
    let odd = lines.filter { $0.contains(#""community":"c1""#) || $0.contains(#""community":"c3""#) || $0.contains(#""community":"c5""#) }
    let even = lines.filter { !odd.contains($0) }
    let a = folder.appendingPathComponent("a.jsonl")
    let b = folder.appendingPathComponent("b.jsonl")
    try (odd.joined(separator: "\n") + "\n").write(to: a, atomically: true, encoding: .utf8)
    try (even.joined(separator: "\n") + "\n").write(to: b, atomically: true, encoding: .utf8)
    let shared = folder.appendingPathComponent("shared.sqlite").path
    // Create the schema first, then start both writers at once.
    try laurel(["ingest", "--rules", rules, "--store", shared, "--events", "/dev/null"])
    let writers = [a, b].map { file -> Process in
      let p = Process()
      p.executableURL = URL(fileURLWithPath: Self.laurel!)
      p.arguments = ["ingest", "--rules", rules, "--store", shared, "--events", file.path, "--batch", "100"]
      p.standardOutput = FileHandle.nullDevice
      p.standardError = FileHandle.nullDevice
      return p
    }
    for p in writers { try p.run() }
    for p in writers { p.waitUntilExit() }
    #expect(writers.allSatisfy { $0.terminationStatus == 0 })
    let whole = folder.appendingPathComponent("whole.sqlite").path
    try laurel(["ingest", "--rules", rules, "--store", whole, "--events", events.path])
    let together = try laurel(["export", "--store", shared])
    let alone = try laurel(["export", "--store", whole])
    #expect(members(together) == members(alone))
    #expect(members(alone).count > 100)
  }
}
