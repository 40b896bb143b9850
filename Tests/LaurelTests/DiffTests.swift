import Foundation
import Laurel
import LaurelRules
import Testing

/// Where shared/bench (the workload generator and the reference oracle) is, if present.
enum SharedBench {
  static let url: URL? = {
    let url = Scenario.repository.deletingLastPathComponent().appendingPathComponent("shared/bench")
    return FileManager.default.fileExists(atPath: url.appendingPathComponent("reference.py").path) ? url : nil
  }()
}

/// `laurel diff`'s engine, checked against shared/bench/reference.py with edited
/// thresholds and point values as the oracle.
@Suite(.enabled(if: SharedBench.url != nil, "needs ../shared/bench and python3"))
struct DiffTests {
  static var sharedBench: URL? { SharedBench.url }

  let folder: URL
  let events: URL
  let rulesText: String

  init() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-diff-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    events = folder.appendingPathComponent("events.jsonl")
    try Self.python(["gen_events.py", "--events", "20000", "--communities", "4", "--users", "800", "--seed", "9"], to: events)
    rulesText = try String(contentsOf: Scenario.repository.appendingPathComponent("rules/community-points.yaml"), encoding: .utf8)
  }

  @discardableResult
  static func python(_ arguments: [String], to output: URL? = nil) throws -> Data {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3"] + [sharedBench!.appendingPathComponent(arguments[0]).path] + arguments.dropFirst()
    let pipe = Pipe()
    if let output {
      _ = FileManager.default.createFile(atPath: output.path, contents: nil)
      p.standardOutput = try FileHandle(forWritingTo: output)
    } else {
      p.standardOutput = pipe
    }
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = output == nil ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
    p.waitUntilExit()
    return data
  }

  /// reference.py with its constants edited: members -> (points, level).
  func oracle(editing edits: [(String, String)]) throws -> [MemberID: (Int64, Int)] {
    var source = try String(contentsOf: Self.sharedBench!.appendingPathComponent("reference.py"), encoding: .utf8)
    for (old, new) in edits {
      #expect(source.contains(old), "reference.py no longer contains \(old)")
      source = source.replacingOccurrences(of: old, with: new)
    }
    let script = folder.appendingPathComponent("reference-edited.py")
    try source.write(to: script, atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", script.path, events.path]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    var members: [MemberID: (Int64, Int)] = [:]
    for m in json["members"] as! [[String: Any]] {
      members[MemberID(scope: m["community"] as? String, user: m["user"] as! String)] =
        ((m["points"] as! NSNumber).int64Value, (m["level"] as! NSNumber).intValue)
    }
    return members
  }

  func rules(_ text: String) throws -> CompiledRules {
    let url = folder.appendingPathComponent("rules-\(UUID().uuidString).yaml")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return try RuleLoader().load(paths: [url.path])
  }

  func diff(to text: String) throws -> DiffReport {
    try RuleChangeAnalysis(from: try rules(rulesText), to: try rules(text)).run(path: events.path)
  }

  @Test func identicalRulesGiveAnEmptyDiff() throws {
    let report = try diff(to: rulesText)
    #expect(report.members.isEmpty)
    #expect(report.summary.changed == 0)
    #expect(report.membersCompared > 500)
    #expect(report.tierDistributions[0].rows.allSatisfy { $0.before == $0.after })
  }

  @Test func aChangedThresholdMovesExactlyTheMembersTheOracleMoves() throws {
    let edited = rulesText.replacingOccurrences(of: "{ name: Builder,     at: 20 }", with: "{ name: Builder,     at: 12 }")
    #expect(edited != rulesText)
    let report = try diff(to: edited)
    let before = try oracle(editing: [])
    let after = try oracle(editing: [("THRESHOLDS = [0, 5, 20,", "THRESHOLDS = [0, 5, 12,")])
    let moved = Set(before.keys.filter { before[$0]!.1 != after[$0]!.1 })
    #expect(!moved.isEmpty)
    #expect(Set(report.members.filter(\.tierChanged).map(\.id)) == moved)
    for change in report.members {
      #expect(change.after?.tiers.first?.1.rank == after[change.id]?.1, "\(change.id)")
      #expect(!change.balanceChanged, "a threshold change moves no points")
    }
  }

  @Test func aChangedPointValueChangesBalancesAsTheOracleSaysAndTheRulesAddUp() throws {
    let edited = rulesText.replacingOccurrences(
      of: "  post_liked:\n    - award: { points: 1 }", with: "  post_liked:\n    - award: { points: 3 }")
    #expect(edited != rulesText)
    let report = try diff(to: edited)
    let after = try oracle(editing: [("\"post_liked\": 1,", "\"post_liked\": 3,")])
    let before = try oracle(editing: [])
    let expectedChanged = Set(before.keys.filter { before[$0]!.0 != after[$0]!.0 })
    #expect(Set(report.members.filter(\.balanceChanged).map(\.id)) == expectedChanged)
    for change in report.members {
      #expect(change.after?.balances.first?.1 == after[change.id]?.0, "\(change.id)")
      let explained = change.byRule.reduce(0) { $0 + $1.delta }
      #expect(explained == change.delta("points"), "the rule breakdown of \(change.id) adds up")
      #expect(change.byRule.contains { $0.rule == "post_liked" })
    }
  }

  @Test func aNewBadgeShowsUpAsNewlyEarned() throws {
    let edited = rulesText + """

      badges:
        rising_star:
          title: Rising star
          when: member.balances.points >= 30
      """
    let report = try diff(to: edited)
    let earned = report.members.filter { $0.badgesGained.contains { $0.badge == "rising_star" } }
    #expect(!earned.isEmpty)
    #expect(report.badges.map(\.badge) == ["rising_star"])
    #expect(report.badges[0].newlyEarned == earned.count)
    #expect(report.badges[0].noLongerEarned == 0)
    #expect(earned.allSatisfy { $0.badgesChanged && !$0.balanceChanged })
  }

  @Test func rendersStableJSONAndAnHTMLPageWithCharts() throws {
    let edited = rulesText.replacingOccurrences(of: "{ name: Builder,     at: 20 }", with: "{ name: Builder,     at: 12 }")
    let a = try diff(to: edited)
    let b = try diff(to: edited)
    #expect(a.json() == b.json(), "same inputs, byte-identical JSON")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(a.json().utf8)) as? [String: Any])
    #expect(Set(json.keys).isSuperset(of: ["summary", "members", "tier_distributions", "balance_histograms", "badges"]))
    let html = a.html()
    #expect(html.hasPrefix("<!doctype html>"))
    #expect(html.components(separatedBy: "<svg").count - 1 == 2, "one chart for the ladder, one for the balances")
    #expect(html.contains("<table id=members>"))
    #expect(!html.contains("http://") && !html.contains("https://"), "self-contained: no network")
  }
}
