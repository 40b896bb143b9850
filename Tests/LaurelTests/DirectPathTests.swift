import Foundation
@testable import Laurel
import LaurelReplay
import LaurelReports
import LaurelRules
import Testing

/// Rules that need no evaluation take the engine's direct path (``DirectPlan``).
/// Adding `when: "true"` to every rule changes nothing but sends it down the
/// general path, so each scheme below runs both ways and must end the same.
@Suite struct DirectPathTests {
  /// The community scheme on its sample history, plus the edge cases the
  /// direct path hands over to the general one or must get right itself.
  @Test func communityRulesEndWhereTheGeneralPathEnds() throws {
    let yaml = try String(
      contentsOf: Scenario.repository.appendingPathComponent("rules/community-points.yaml"), encoding: .utf8)
    let history = try String(
      contentsOf: Scenario.repository.appendingPathComponent("rules/examples/community-history.jsonl"), encoding: .utf8)
    var lines = history.split(separator: "\n").map(String.init)
    let like = #""type":"post_liked","at":"2026-03-01T10:00:00Z","user":"u1","community":"c1","post":"p1""#
    let lesson = #""type":"lesson_completed","at":"2026-03-01T10:00:00Z","user":"u1","community":"c1""#
    lines += [
      #"{"id":"x1",\#(like)}"#,  // no author: rejected
      #"{"id":"x2",\#(like),"author":""}"#,  // an empty author: rejected
      #"{"id":"x3",\#(like),"author":"u2"}"#,
      #"{"id":"x3",\#(like),"author":"u2"}"#,  // a duplicate
      #"{"id":"x4","type":"post_unliked","at":"2026-03-01T10:00:00Z","user":"u1","community":"c1","author":"u3"}"#,
      #"{"id":"x5",\#(lesson),"lesson":"l1"}"#,
      #"{"id":"x6",\#(lesson),"lesson":"l1"}"#,  // the same lesson again: nothing
      #"{"id":"x7",\#(lesson)}"#,  // no lesson: rejected
      #"{"id":"x8","type":"post_created","at":"2026-03-01T10:00:00Z","user":"u1","author":"u1"}"#,  // no community
    ]
    try expectSameEnd(directYAML: yaml, generalYAML: Self.generalVariant(of: yaml), lines: lines, directTypes: 7)
  }

  /// A global scheme: the actor as recipient, two currencies in one rule, a
  /// floor, effective dates, and an action type that mixes both kinds of rule.
  @Test func datedAndMultiCurrencyRulesEndWhereTheGeneralPathEnds() throws {
    let yaml = """
      scheme: dated
      fields: { author: string }
      currencies:
        points: { floor: 0 }
        karma: {}
      actions:
        answered:
          - award: { points: 10, karma: 2 }
          - deduct: { points: 3 }
            to: event.author
            until: 2026-03-02
          - award: { karma: 1 }
            to: event.author
            from: 2026-03-02
        voted:
          - award: { karma: 1 }
          - to: event.author
            award: { points: 1 }
            when: event.author != "nobody"
      ladders:
        rank:
          currency: points
          policy: follow
          tiers:
            - { name: New, at: 0 }
            - { name: Known, at: 15 }
      """
    var lines: [String] = []
    for (i, day) in ["01", "01", "02", "03", "03"].enumerated() {
      lines.append(
        #"{"id":"a\#(i)","type":"answered","at":"2026-03-\#(day)T09:00:00Z","user":"u\#(i % 2)","author":"u\#(1 - i % 2)"}"#
      )
      lines.append(
        #"{"id":"v\#(i)","type":"voted","at":"2026-03-\#(day)T10:00:00Z","user":"u\#(i % 3)","author":"u1"}"#)
    }
    try expectSameEnd(directYAML: yaml, generalYAML: Self.generalVariant(of: yaml), lines: lines, directTypes: 1)
  }

  /// `yaml` with `when: "true"` on every rule that has none.
  static func generalVariant(of yaml: String) -> String {
    yaml.replacingOccurrences(of: "- award:", with: "- when: \"true\"\n      award:")
      .replacingOccurrences(of: "- deduct:", with: "- when: \"true\"\n      deduct:")
  }

  private func expectSameEnd(directYAML: String, generalYAML: String, lines: [String], directTypes: Int) throws {
    let direct = try Scenario(yaml: directYAML).rules
    let general = try Scenario(yaml: generalYAML).rules
    // Otherwise the test would compare the general path with itself.
    #expect(direct.actions.filter { $0.direct != nil }.count == directTypes)
    #expect(general.actions.allSatisfy { $0.direct == nil })
    var one = Simulation(rules: direct)
    var other = Simulation(rules: general)
    let decoder = ActionDecoder(rules: direct)
    for line in lines {
      let action = try decoder.decode(line)
      one.apply(action)
      other.apply(action)
      let (a, b) = (one.lastOutcome, other.lastOutcome)
      guard a.status == b.status, a.ledger == b.ledger, a.tierChanges == b.tierChanges else {
        // The first difference only: later ones follow from it.
        Issue.record(
          "the paths part at \(line)\ndirect: \(a.status) \(a.ledger) \(a.tierChanges)\ngeneral: \(b.status) \(b.ledger) \(b.tierChanges)"
        )
        return
      }
    }
    #expect(one.counts == other.counts)
    #expect(one.report().json() == other.report().json())
  }
}
