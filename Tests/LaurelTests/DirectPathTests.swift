import Foundation
@testable import Laurel
import LaurelReplay
import LaurelReports
import LaurelRules
import Testing

/// Rules that need no evaluation take the engine's direct path (``DirectPlan``).
/// Adding `when: "size([1]) == 1"` to every rule changes nothing but sends it down the
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
  /// floor, effective dates, and a condition decided from a field.
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
    try expectSameEnd(directYAML: yaml, generalYAML: Self.generalVariant(of: yaml), lines: lines, directTypes: 2)
  }

  /// Conditions decided from fields, a net daily cap, a floor, a windowed
  /// `earned` counter, counts into a member's counter and into the action's
  /// object, and badges reading both; with the actions the direct path hands
  /// over: late, an empty owner, no post to count into, a duplicate.
  @Test func guardedRulesWithCapsAndObjectsEndWhereTheGeneralPathEnds() throws {
    func scheme(_ evaluated: String) -> String {
      """
      scheme: guarded
      fields: { owner: string, post: string, wiki: bool }
      let:
        pays_owner: has(event.owner) && !(has(event.wiki) && event.wiki)
      currencies:
        rep: { start: 1, floor: 1 }
      objects:
        post: event.post
      counters:
        score: { of: post }
        votes_cast: {}
        earned_today: { earned: rep, window: day }
      actions:
        upvoted:
          - id: upvote
            award: { rep: 10 }
            when: \(evaluated)pays_owner
            to: event.owner
          - id: score_up
            when: \(evaluated)true
            count: score
          - id: voter
            when: \(evaluated)true
            count: votes_cast
        downvoted:
          - id: downvote
            deduct: { rep: 2 }
            when: \(evaluated)pays_owner
            to: event.owner
          - id: score_down
            when: \(evaluated)true
            count: { score: -1 }
      caps:
        daily: { currency: rep, max: 25, per: day, rules: [upvote, downvote], net: true }
      badges:
        nice:
          key: event.post
          to: event.owner
          when: post.counters.score >= 3
        busy:
          when: member.counters.earned_today >= 20
        voter:
          when: member.counters.votes_cast >= 2
        wiki_voter:                 # reads the action: the direct path binds it
          when: has(event.wiki) && member.counters.votes_cast >= 1
      """
    }
    var lines: [String] = []
    func add(_ type: String, day: Int, user: String = "u1", _ fields: String, id: String? = nil) {
      let id = id ?? "a\(lines.count)"
      let at = "2026-03-0\(day)T10:\(10 + lines.count):00Z"
      lines.append(#"{"id":"\#(id)","type":"\#(type)","at":"\#(at)","user":"\#(user)"\#(fields)}"#)
    }
    for _ in 0..<4 { add("upvoted", day: 1, #","owner":"ann","post":"p1""#) }  // 10, 10, 5, 0 under the cap
    add("downvoted", day: 1, user: "u2", #","owner":"ann","post":"p1""#)  // frees 2
    add("upvoted", day: 1, #","owner":"ann","post":"p1""#)  // pays the 2 freed
    add("upvoted", day: 1, #","post":"p2""#)  // a deleted owner: the post's score still moves
    add("upvoted", day: 1, user: "u3", #","owner":"bob","post":"p3","wiki":true"#)  // wiki: nothing paid
    add("upvoted", day: 1, #","owner":"bob""#)  // no post to count into: rejected
    add("upvoted", day: 1, #","owner":"","post":"p3""#)  // an empty owner: rejected
    add("upvoted", day: 2, #","owner":"ann","post":"p1""#)  // a new day: the cap and earned_today start again
    add("upvoted", day: 1, #","owner":"ann","post":"p1""#)  // late for ann's day-2 cap: rejected
    add("downvoted", day: 2, #","owner":"ann","post":"p1""#, id: "a0")  // a duplicate
    add("downvoted", day: 2, #","owner":"ann","post":"p4""#)
    try expectSameEnd(
      directYAML: scheme(""), generalYAML: scheme("size([1]) == 1 && "), lines: lines, directTypes: 2)
    var simulation = Simulation(rules: try Scenario(yaml: scheme("")).rules)
    let decoder = ActionDecoder(rules: simulation.rules)
    for line in lines { simulation.apply(try decoder.decode(line)) }
    #expect(simulation.counts.rejected == 3 && simulation.counts.duplicates == 1)
    #expect(simulation.memberEvents.badgeEarned == 4)  // nice and busy (ann), voter (u1), wiki_voter (u3)
    #expect(simulation.objectCounters(of: "post", key: "p1")?.first { $0.name == "score" }?.total == 5)
  }

  /// `yaml` with `when: "size([1]) == 1"` (true, but evaluated) on every rule that has none.
  static func generalVariant(of yaml: String) -> String {
    yaml.replacingOccurrences(of: "- award:", with: "- when: \"size([1]) == 1\"\n      award:")
      .replacingOccurrences(of: "- deduct:", with: "- when: \"size([1]) == 1\"\n      deduct:")
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
      guard a.status == b.status, a.ledger == b.ledger, a.tierChanges == b.tierChanges,
        "\(a.badges)" == "\(b.badges)"
      else {
        // The first difference only: later ones follow from it.
        Issue.record(
          "the paths part at \(line)\ndirect: \(a.status) \(a.ledger) \(a.tierChanges) \(a.badges)\ngeneral: \(b.status) \(b.ledger) \(b.tierChanges) \(b.badges)"
        )
        return
      }
    }
    #expect(one.counts == other.counts)
    #expect(one.report().json() == other.report().json())
  }
}
