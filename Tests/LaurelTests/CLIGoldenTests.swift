import Foundation
import Testing

/// The command line, end to end: each case runs the built `laurel` from the
/// repository's folder and compares the whole transcript — exit status,
/// standard output and standard error — with `Golden/<name>.txt`.
/// `LAUREL_UPDATE_GOLDEN=1 swift test --filter CLIGoldenTests` rewrites the
/// files after an intended change (read the diff before committing it).
@Suite(.serialized)
struct CLIGoldenTests {
  static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
  static let store = ".build/golden-ingest.sqlite"

  static let cases: [(String, [String])] = [
    ("validate-rules", ["validate", "rules"]),
    ("validate-broken", ["validate", "Tests/LaurelRulesTests/Fixtures/wrong.yaml"]),
    ("validate-broken-excerpts", ["validate", "--excerpts", "Tests/LaurelRulesTests/Fixtures/wrong.yaml"]),
    (
      "simulate-table",
      [
        "simulate", "--rules", "rules/community-points.yaml", "--events", "rules/examples/community-history.jsonl",
        "--limit", "8",
      ]
    ),
    (
      "simulate-json-xp",
      [
        "simulate", "--rules", "rules/xp-grades-badges.yaml", "--events", "rules/examples/xp-history.jsonl", "--format",
        "json",
      ]
    ),
    (
      "simulate-rejections",
      ["simulate", "--rules", "rules/xp-grades-badges.yaml", "--events", "rules/examples/rejected-actions.jsonl"]
    ),
    (
      "simulate-rejections-strict",
      [
        "simulate", "--rules", "rules/xp-grades-badges.yaml", "--events", "rules/examples/rejected-actions.jsonl",
        "--strict", "--format", "json",
      ]
    ),
    (
      "simulate-missing-events",
      ["simulate", "--rules", "rules/community-points.yaml", "--events", "no-such-history.jsonl"]
    ),
    (
      "simulate-bad-option", ["simulate", "--rules", "rules/community-points.yaml", "--events", "-", "--format", "xml"]
    ),
    (
      "diff-table",
      [
        "diff", "--from", "rules/community-points.yaml", "--to",
        "Tests/LaurelTests/Golden/community-points-edited.yaml", "--events", "rules/examples/community-history.jsonl",
        "--limit", "5",
      ]
    ),
    (
      "diff-broken-rules",
      [
        "diff", "--from", "rules/community-points.yaml", "--to", "Tests/LaurelRulesTests/Fixtures/wrong.yaml",
        "--events", "rules/examples/community-history.jsonl",
      ]
    ),
    (
      "diff-json",
      [
        "diff", "--from", "rules/community-points.yaml", "--to",
        "Tests/LaurelTests/Golden/community-points-edited.yaml", "--events", "rules/examples/community-history.jsonl",
        "--format", "json", "--limit", "3",
      ]
    ),
    (
      "ingest",
      [
        "ingest", "--rules", "rules/community-points.yaml", "--store", store, "--events",
        "rules/examples/community-history.jsonl",
      ]
    ),
    (
      "ingest-again",
      [
        "ingest", "--rules", "rules/community-points.yaml", "--store", store, "--events",
        "rules/examples/community-history.jsonl",
      ]
    ),
    (
      "ingest-other-scheme",
      [
        "ingest", "--rules", "rules/xp-grades-badges.yaml", "--store", store, "--events",
        "rules/examples/xp-history.jsonl",
      ]
    ),
    ("show", ["show", "--store", store, "--scope", "c1", "--user", "u107"]),
  ]

  @Test func everyCaseMatchesItsTranscript() async throws {
    try? FileManager.default.removeItem(atPath: Scenario.repository.appendingPathComponent(Self.store).path)
    let update = ProcessInfo.processInfo.environment["LAUREL_UPDATE_GOLDEN"] != nil
    for (name, arguments) in Self.cases {
      let transcript = try await Self.run(arguments)
      let file = Self.golden.appendingPathComponent("\(name).txt")
      if update {
        try transcript.write(to: file, atomically: true, encoding: .utf8)
        continue
      }
      let expected = try String(contentsOf: file, encoding: .utf8)
      #expect(transcript == expected, "\(name): the transcript changed (LAUREL_UPDATE_GOLDEN=1 rewrites it)")
    }
  }

  /// `$ laurel …`, `[exit N]`, then the standard output and error, whole.
  static func run(_ arguments: [String]) async throws -> String {
    try await onOwnThread { try runBlocking(arguments) }
  }

  private static func runBlocking(_ arguments: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try BuiltLaurel.path)
    p.arguments = arguments
    p.currentDirectoryURL = Scenario.repository
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    // Read both while it runs (a full pipe would block it).
    nonisolated(unsafe) var errData = Data()
    let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    while !reader.isFinished { usleep(1_000) }
    return "$ laurel \(arguments.joined(separator: " "))\n[exit \(p.terminationStatus)]\n--- stdout\n"
      + String(decoding: outData, as: UTF8.self) + "--- stderr\n" + String(decoding: errData, as: UTF8.self)
  }
}
