import Foundation
import Testing

/// Every command reports a failed read or write with a sentence and a
/// non-zero status: none traps (FileHandle's `try!` did) and none loses its
/// output while exiting 0.
@Suite
struct CommandLineErrorTests {
  let rules = Scenario.repository.appendingPathComponent("rules/community-points.yaml").path
  let events = Scenario.repository.appendingPathComponent("rules/examples/community-history.jsonl").path
  let folder: URL
  /// Removed with the suite instance, after each test.
  let temporary: TemporaryFolder

  init() throws {
    temporary = try TemporaryFolder("laurel-cli")
    folder = temporary.url
  }

  /// Runs laurel with its standard output sent to `stdout` (a path) and its input closed or not.
  func run(
    _ arguments: [String], stdout: String = "/dev/null", closedStdin: Bool = false
  ) async throws -> (status: Int32, stderr: String) {
    let path = try BuiltLaurel.path
    return try await onOwnThread { try Self.runBlocking([path] + arguments, stdout: stdout, closedStdin: closedStdin) }
  }

  private static func runBlocking(
    _ command: [String], stdout: String, closedStdin: Bool
  ) throws -> (status: Int32, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    let quoted = command.map { "'\($0)'" }.joined(separator: " ")
    p.arguments = ["-c", "exec \(quoted) > '\(stdout)'" + (closedStdin ? " <&-" : "")]
    let err = Pipe()
    p.standardError = err
    try p.run()
    let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (p.terminationReason == .exit ? p.terminationStatus : -p.terminationStatus, text)
  }

  @Test func outputToAFullDiskIsAnErrorForEveryCommand() async throws {
    let store = folder.appendingPathComponent("full.sqlite").path
    _ = try await run(["ingest", "--rules", rules, "--store", store, "--events", events])
    for arguments in [
      ["simulate", "--rules", rules, "--events", events, "--format", "json"],
      ["simulate", "--rules", rules, "--events", events, "--format", "table"],
      ["diff", "--from", rules, "--to", rules, "--events", events, "--format", "json"],
      ["export", "--store", store], ["show", "--store", store, "--scope", "c1", "--user", "u107"],
      ["ingest", "--rules", rules, "--store", store, "--events", events], ["validate", rules],
    ] {
      let (status, stderr) = try await run(arguments, stdout: "/dev/full")
      #expect(status == 1, "\(arguments[0]) exited \(status)")
      #expect(stderr.contains("laurel: cannot write the output: No space left on device"), "\(arguments[0]): \(stderr)")
    }
  }

  @Test func committedRulesAreReadFromGitAndNamedByRevisionAndPath() async throws {
    // A repository whose last commit has a broken rule file; the working copy is fixed.
    let repo = folder.appendingPathComponent("repo")
    try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
    let good = try String(contentsOfFile: rules, encoding: .utf8)
    let file = repo.appendingPathComponent("points.yaml")
    try good.replacingOccurrences(of: "floor: 0", with: "floor: zero").write(
      to: file, atomically: true, encoding: .utf8)
    func git(_ arguments: [String]) throws {
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      p.arguments = ["git", "-c", "user.email=ci@laurel", "-c", "user.name=ci"] + arguments
      p.currentDirectoryURL = repo
      p.standardOutput = FileHandle.nullDevice
      p.standardError = FileHandle.nullDevice
      try p.run()
      p.waitUntilExit()
      #expect(p.terminationStatus == 0, "git \(arguments)")
    }
    try git(["init", "-q"])
    try git(["add", "points.yaml"])
    try git(["commit", "-q", "-m", "broken"])
    try good.write(to: file, atomically: true, encoding: .utf8)
    let (status, stderr) = try await run(["diff", "--from", "git:HEAD", "--to", file.path, "--events", events])
    #expect(status == 1)
    #expect(stderr.hasPrefix("HEAD:points.yaml:"), "\(stderr)")
    #expect(stderr.contains("floor must be a whole number, not 'zero'"), "\(stderr)")
    #expect(!stderr.contains(FileManager.default.temporaryDirectory.path), "no temporary path: \(stderr)")
  }

  @Test func valuesFromAFixedSetAreCheckedByTheParser() async throws {
    for (arguments, listed) in [
      (["schema", "nope"], "'rules', 'action', 'simulate-report' or 'diff-report'"),
      (["simulate", "--rules", rules, "--events", events, "--format", "xml"], "'json' and 'table'"),
      (["ingest", "--rules", rules, "--store", "x.sqlite", "--events", events, "--synchronous", "maybe"], "'normal'"),
    ] {
      let (status, stderr) = try await run(arguments)
      #expect(status == 64, "\(arguments): exit \(status)")
      #expect(stderr.contains("Please provide one of \(listed)"), "\(arguments): \(stderr)")
    }
  }

  @Test func unreadableEventsAreAnErrorAndCreateNoStore() async throws {
    let store = folder.appendingPathComponent("never.sqlite").path
    let directory = try await run(["simulate", "--rules", rules, "--events", folder.path])
    #expect(directory.status == 1 && directory.stderr.contains("it is a directory, not a file"))
    let closed = try await run(["simulate", "--rules", rules, "--events", "-"], closedStdin: true)
    #expect(closed.status == 1 && closed.stderr.contains("cannot read standard input: it is closed"))
    let missing = try await run([
      "ingest", "--rules", rules, "--store", store, "--events", folder.appendingPathComponent("no.jsonl").path,
    ])
    #expect(missing.status == 1 && missing.stderr.contains("no such file"))
    #expect(!FileManager.default.fileExists(atPath: store), "a mistyped events path created no store")
  }

  @Test func strictExitsTwoWhenActionsWereRejected() async throws {
    let bad = Scenario.repository.appendingPathComponent("rules/examples/rejected-actions.jsonl").path
    let xp = Scenario.repository.appendingPathComponent("rules/xp-grades-badges.yaml").path
    #expect(try await run(["simulate", "--rules", xp, "--events", bad]).status == 0)
    #expect(try await run(["simulate", "--rules", xp, "--events", bad, "--strict"]).status == 2)
  }
}
