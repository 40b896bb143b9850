import Foundation
import Laurel
import LaurelRules
import LaurelSQLite
import Testing

/// `laurel admin`, `levels`, `leaderboard`, `gate check` and `rebuild`, run
/// as a user would, against a store `laurel ingest` wrote.
@Suite struct AdminCommandLineTests {
  let folder: TemporaryFolder
  let store: String
  let rules = Scenario.repository.appendingPathComponent("rules/community-points.yaml").path
  let history = Scenario.repository.appendingPathComponent("rules/examples/community-history.jsonl").path

  init() async throws {
    folder = try TemporaryFolder("laurel-admin-cli")
    store = folder.url.appendingPathComponent("store.sqlite").path
    let ingest = try await Self.laurel(["ingest", "--rules", rules, "--store", store, "--events", history])
    #expect(ingest.status == 0, "\(ingest.stderr)")
  }

  /// Runs the built `laurel`; its status, standard output and standard error
  /// (written to a file, so that neither pipe can fill up and block it).
  static func laurel(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await onOwnThread { try laurelBlocking(arguments) }
  }

  private static func laurelBlocking(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let errors = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errors) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try BuiltLaurel.path)
    p.arguments = arguments
    let out = Pipe()
    p.standardOutput = out
    p.standardError = try FileHandle(forWritingTo: errors)
    try p.run()
    let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (p.terminationStatus, output, try String(contentsOf: errors, encoding: .utf8))
  }

  static func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

  func tiersJSON(_ names: [String], _ thresholds: [Int]) -> String {
    "[" + zip(names, thresholds).map { #"{"name":"\#($0)","threshold":\#($1)}"# }.joined(separator: ",") + "]"
  }

  @Test func adminCommandsChangeLevelsGatesAndBadgesAndAuditThem() async throws {
    let names = ["Beginner", "Explorer", "Maker", "D", "E", "F", "G", "H", "I"]
    let bad = try await Self.laurel([
      "admin", "set-tiers", "--store", store, "--ladder", "level", "--scope", "c1", "--tiers",
      tiersJSON(["A", "a"], [5, 3]),
    ])
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("VALIDATION_ERROR"))
    #expect(bad.stderr.contains("tiers[1].name"))
    #expect(bad.stderr.contains("tiers[0].threshold"))
    // A threshold beyond 64 bits, or not JSON at all: a sentence, status 1, nothing changed.
    for hostile in [#"[{"name":"A","threshold":1e30}]"#, "not json", #"[{"name":"A"}]"#] {
      let refused = try await Self.laurel([
        "admin", "set-tiers", "--store", store, "--ladder", "level", "--scope", "c1", "--tiers", hostile,
      ])
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("--tiers must be a JSON array"))
    }
    let set = try await Self.laurel([
      "admin", "set-tiers", "--store", store, "--ladder", "level", "--scope", "c1", "--by", "owner", "--tiers",
      tiersJSON(names, [0, 3, 10, 30, 60, 100, 200, 400, 800]),
    ])
    #expect(set.status == 0, "\(set.stderr)")
    let update = try #require(try Self.json(set.stdout) as? [String: Any])
    #expect((update["tier_changes"] as? [Any])?.isEmpty == false)
    let levels = try #require(
      try Self.json(try await Self.laurel(["levels", "--store", store, "--ladder", "level", "--scope", "c1"]).stdout)
        as? [String: Any])
    #expect((levels["levels"] as? [[String: Any]])?.map { $0["name"] as? String } == names)
    #expect(
      try await Self.laurel([
        "admin", "set-requirement", "--store", store, "--gate", "course", "--resource", "swift", "--scope", "c1",
        "--rank", "9",
      ]).status == 0)
    let check = try #require(
      try Self.json(
        try await Self.laurel([
          "gate", "check", "--store", store, "--gate", "course", "--resource", "swift", "--scope", "c1", "--user",
          "u107",
        ]).stdout) as? [String: Any])
    #expect(check["has_access"] as? Bool == false)
    #expect(check["message"] as? String == "Unlock at Level 9 - I")
    #expect(
      try await Self.laurel(["admin", "create-badge", "--store", store, "--name", "founder", "--title", "Founder"])
        .status
        == 0)
    let grant = try await Self.laurel([
      "admin", "grant", "--store", store, "--badge", "founder", "--user", "u107", "--scope", "c1", "--reason", "first",
    ])
    #expect(grant.status == 0, "\(grant.stderr)")
    let audit = try #require(
      try Self.json(try await Self.laurel(["admin", "audit", "--store", store]).stdout) as? [[String: Any]])
    #expect(audit.map { $0["operation"] as? String } == ["badge.grant", "catalogue.create", "gate.set", "levels.set"])
    let board = try #require(
      try Self.json(
        try await Self.laurel([
          "leaderboard", "points", "--store", store, "--scope", "c1", "--window", "all", "--limit", "3",
        ])
        .stdout) as? [String: Any])
    #expect((board["entries"] as? [[String: Any]])?.first?["rank"] as? Int == 1)
    let unknown = try await Self.laurel(["leaderboard", "nope", "--store", store, "--scope", "c1"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("QUERY_UNKNOWN_LEADERBOARD"))
  }

  /// New rules: likes pay 3 points instead of 1.
  func proposedRules() throws -> String {
    let text = try String(contentsOfFile: rules, encoding: .utf8)
      .replacingOccurrences(
        of: "  post_liked:\n    - award: { points: 1 }", with: "  post_liked:\n    - award: { points: 3 }")
    let path = folder.url.appendingPathComponent("proposed.yaml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func aDryRunPrintsWhatLaurelDiffPrints() async throws {
    let proposed = try proposedRules()
    let dry = try await Self.laurel(["rebuild", "--store", store, "--rules", proposed, "--dry-run", "--format", "json"])
    let diff = try await Self.laurel([
      "diff", "--from", rules, "--to", proposed, "--events", history, "--format", "json",
    ])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(diff.status == 0)
    // The report names its sources; everything else is the same.
    func withoutSources(_ text: String) throws -> NSDictionary {
      var object = try #require(try Self.json(text) as? [String: Any])
      object["from_source"] = nil
      object["to_source"] = nil
      object["sources"] = nil
      return object as NSDictionary
    }
    #expect(try withoutSources(dry.stdout) == withoutSources(diff.stdout))
    // And nothing changed.
    #expect(try await Self.laurel(["export", "--store", store]).stdout.contains(#""points":"#))
  }

  @Test func exportGivesTheNotificationsTheStoreCounted() async throws {
    let export = try #require(
      try Self.json(try await Self.laurel(["export", "--store", store]).stdout) as? [String: Any])
    let simulate = try #require(
      try Self.json(
        try await Self.laurel(["simulate", "--rules", rules, "--events", history, "--format", "json"]).stdout)
        as? [String: Any])
    let notifications = try #require(export["notifications"] as? [String: Int])
    #expect(notifications == simulate["notifications"] as? [String: Int])
    #expect(notifications["points_awarded"]! > 0, "\(notifications)")
  }

  @Test func aRebuildEqualsASimulationUnderTheNewRulesAndKeepsAdminSettings() async throws {
    let proposed = try proposedRules()
    #expect(
      try await Self.laurel(["admin", "create-badge", "--store", store, "--name", "founder", "--title", "Founder"])
        .status
        == 0)
    #expect(
      try await Self.laurel(["admin", "grant", "--store", store, "--badge", "founder", "--user", "u9", "--scope", "c2"])
        .status == 0)
    let rebuild = try await Self.laurel(["rebuild", "--store", store, "--rules", proposed])
    #expect(rebuild.status == 0, "\(rebuild.stderr)")
    #expect(rebuild.stderr.contains("2000 actions replayed"))
    let export = try #require(
      try Self.json(try await Self.laurel(["export", "--store", store]).stdout) as? [String: Any])
    let simulate = try #require(
      try Self.json(
        try await Self.laurel(["simulate", "--rules", proposed, "--events", history, "--format", "json"]).stdout)
        as? [String: Any])
    #expect((export["members"] as? NSArray) == (simulate["members"] as? NSArray))
    #expect(
      (export["notifications"] as? NSDictionary) == (simulate["notifications"] as? NSDictionary),
      "a rebuild counts what the new rules produce")
    let holders = try #require(
      try Self.json(try await Self.laurel(["admin", "holders", "--store", store, "--badge", "founder"]).stdout)
        as? [[String: Any]])
    #expect(holders.map { $0["user"] as? String } == ["u9"])
    // The ledger names the new rules' version.
    let ledger = try SQLiteStore(path: store, options: .init(readOnly: true))
    #expect(try ledger.ruleFiles().first?.text.contains("points: 3") == true)
  }

  @Test func aRebuildThatFailsKeepsTheOldState() async throws {
    // 20,000 actions, then rules that write a second ledger row for each, on a file that may not grow.
    let path = folder.url.appendingPathComponent("big.sqlite").path
    let text = try String(contentsOfFile: rules, encoding: .utf8)
    let current = try RuleLoader().load(text: text, file: "points.yaml")
    do {
      let store = try SQLiteStore(path: path)
      try store.adopt(current, files: [("points.yaml", text)])
      var decoder = ActionDecoder(rules: current)
      decoder.keepsSource = true
      let actions = try CommunityHistory.lines(count: 20_000).map { try decoder.decode($0) }
      _ = try await Engine(rules: current, store: store).applyBatch(actions)
      try store.checkpoint()
    }
    let heavierText = text.replacingOccurrences(
      of: "      to: event.author\n",
      with: "      to: event.author\n    - award: { points: 1 }\n      to: event.author\n")
    let heavier = try RuleLoader().load(text: heavierText, file: "heavier.yaml")
    let before = try await Self.laurel(["export", "--store", path]).stdout
    let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    let limited = try SQLiteStore(path: path, options: .init(maxSizeMiB: (size + 1_048_575) / 1_048_576))
    #expect(throws: SQLiteStore.WriteError.self) {
      _ = try limited.rebuild(heavier, files: [("heavier.yaml", heavierText)])
    }
    #expect(try await Self.laurel(["export", "--store", path]).stdout == before)
    #expect(try limited.ruleFiles().map(\.path) == ["points.yaml"])
  }
}
