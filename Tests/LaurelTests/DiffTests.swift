import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelRules
import Testing

/// `laurel diff`'s engine, checked against a hand-written oracle of the
/// community scheme (``CommunityOracle``) with edited thresholds and point values.
@Suite struct DiffTests {
  let folder: URL
  /// Removed with the suite instance, after each test.
  let temporary: TemporaryFolder
  let events: URL
  let history: [String]
  let rulesText: String

  init() throws {
    temporary = try TemporaryFolder("laurel-diff")
    folder = temporary.url
    events = folder.appendingPathComponent("events.jsonl")
    history = CommunityHistory.lines(count: 20_000, communities: 4, users: 800, seed: 9)
    try CommunityHistory.write(history, to: events)
    rulesText = try String(
      contentsOf: Scenario.repository.appendingPathComponent("rules/community-points.yaml"), encoding: .utf8)
  }

  /// The oracle's members -> (points, level), with its constants edited.
  func oracle(
    _ edit: @escaping @Sendable (inout CommunityOracle) -> Void = { _ in }
  ) async throws -> [MemberID: (Int64, Int)] {
    let history = history
    return try await onOwnThread {
      var oracle = CommunityOracle()
      edit(&oracle)
      return try oracle.run(history).mapValues { ($0.points, $0.level) }
    }
  }

  func rules(_ text: String) throws -> CompiledRules {
    try RuleLoader().load(text: text, file: "community-points.yaml")
  }

  /// The diff of the history under the suite's rules and `text` (replayed on
  /// a thread of its own: a replay on a thread tasks share holds it for seconds).
  func diff(to text: String) async throws -> DiffReport {
    let analysis = RuleChangeAnalysis(from: try rules(rulesText), to: try rules(text))
    let path = events.path
    return try await onOwnThread { try analysis.run(path: path) }
  }

  @Test func theEngineAgreesWithTheOracleMemberByMember() async throws {
    let rules = try rules(rulesText)
    let path = events.path
    let members = try await onOwnThread {
      var simulation = Simulation(rules: rules)
      try simulation.run(path: path)
      return simulation.report().members
    }
    let expected = try await oracle()
    #expect(members.count == expected.count)
    for member in members {
      #expect(member.balance("points") == expected[member.member]?.0, "\(member.member)")
      #expect(member.tier("level")?.rank == expected[member.member]?.1, "\(member.member)")
    }
    #expect(expected.values.contains { $0.0 == 0 }, "the history reaches the floor")
  }

  @Test func identicalRulesGiveAnEmptyDiff() async throws {
    let report = try await diff(to: rulesText)
    #expect(report.members.isEmpty)
    #expect(report.summary.changed == 0)
    #expect(report.membersCompared > 500)
    #expect(report.tierDistributions[0].rows.allSatisfy { $0.before == $0.after })
  }

  @Test func aChangedThresholdMovesExactlyTheMembersTheOracleMoves() async throws {
    let edited = rulesText.replacingOccurrences(
      of: "{ name: Builder,     at: 20 }", with: "{ name: Builder,     at: 12 }")
    #expect(edited != rulesText)
    let report = try await diff(to: edited)
    let before = try await oracle()
    let after = try await oracle { $0.thresholds[2] = 12 }
    let moved = Set(before.keys.filter { before[$0]!.1 != after[$0]!.1 })
    #expect(!moved.isEmpty)
    #expect(Set(report.members.filter(\.tierChanged).map(\.id)) == moved)
    for change in report.members {
      #expect(change.after?.tiers.first?.rank == after[change.id]?.1, "\(change.id)")
      #expect(!change.balanceChanged, "a threshold change moves no points")
    }
  }

  @Test func aChangedPointValueChangesBalancesAsTheOracleSaysAndTheRulesAddUp() async throws {
    let edited = rulesText.replacingOccurrences(
      of: "  post_liked:\n    - award: { points: 1 }", with: "  post_liked:\n    - award: { points: 3 }")
    #expect(edited != rulesText)
    let report = try await diff(to: edited)
    let after = try await oracle { $0.points["post_liked"] = 3 }
    let before = try await oracle()
    let expectedChanged = Set(before.keys.filter { before[$0]!.0 != after[$0]!.0 })
    #expect(Set(report.members.filter(\.balanceChanged).map(\.id)) == expectedChanged)
    for change in report.members {
      #expect(change.after?.balances.first?.amount == after[change.id]?.0, "\(change.id)")
      let explained = change.byRule.reduce(0) { $0 + $1.delta }
      #expect(explained == change.delta("points"), "the rule breakdown of \(change.id) adds up")
      #expect(change.byRule.contains { $0.rule == "post_liked" })
    }
  }

  @Test func aNewBadgeShowsUpAsNewlyEarned() async throws {
    let edited =
      rulesText + """

        badges:
          rising_star:
            title: Rising star
            when: member.balances.points >= 30
        """
    let report = try await diff(to: edited)
    let earned = report.members.filter { $0.badgesGained.contains { $0.badge == "rising_star" } }
    #expect(!earned.isEmpty)
    #expect(report.badges.map(\.badge) == ["rising_star"])
    #expect(report.badges[0].newlyEarned == earned.count)
    #expect(report.badges[0].noLongerEarned == 0)
    #expect(earned.allSatisfy { $0.badgesChanged && !$0.balanceChanged })
    // People read the title, in every report; the JSON keeps the id.
    #expect(report.badges[0].title == "Rising star")
    #expect(report.table().contains("Rising star  \(earned.count)"))
    #expect(report.html().contains("+Rising star"))
    #expect(!report.html().contains("+rising_star"))
    #expect(report.json().contains("\"badge\":\"rising_star\""))
  }

  @Test func rendersStableJSONAndAnHTMLPageWithCharts() async throws {
    let edited = rulesText.replacingOccurrences(
      of: "{ name: Builder,     at: 20 }", with: "{ name: Builder,     at: 12 }")
    let a = try await diff(to: edited)
    let b = try await diff(to: edited)
    #expect(a.json() == b.json(), "same inputs, byte-identical JSON")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(a.json().utf8)) as? [String: Any])
    #expect(
      Set(json.keys).isSuperset(of: ["summary", "members", "tier_distributions", "balance_histograms", "badges"]))
    let html = a.html()
    #expect(html.hasPrefix("<!doctype html>"))
    #expect(html.components(separatedBy: "<svg").count - 1 == 2, "one chart for the ladder, one for the balances")
    #expect(html.contains("<table id=members>"))
    #expect(!html.contains("http://") && !html.contains("https://"), "self-contained: no network")
  }
}
