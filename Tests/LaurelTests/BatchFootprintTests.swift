import Foundation
import Laurel
import LaurelRules
import Testing

/// What the engine forecasts a batch will read, for stores that fetch it in one go.
@Suite struct BatchFootprintTests {
  let rules: CompiledRules

  init() throws {
    rules = try RuleLoader().load(paths: [
      Scenario.repository.appendingPathComponent("rules/community-points.yaml").path
    ])
  }

  func action(_ json: String) throws -> PreparedAction { try ActionDecoder(rules: rules).decode(json) }

  @Test func namesTheMembersAndOncePerKeysTheRulesTakeFromFields() throws {
    let batch = [
      try action(
        #"{"id":"a1","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"fan","community":"c1","author":"ann","post":"p"}"#
      ),
      try action(
        #"{"id":"a2","type":"lesson_completed","at":"2026-03-01T10:00:00Z","user":"bob","community":"c2","lesson":"l1","course":"k"}"#
      ),
      try action(
        #"{"id":"a3","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"fan","community":"c1","author":"ann","post":"q"}"#
      ),
      try action(#"{"id":"a4","type":"no_such_type","at":"2026-03-01T10:00:00Z","user":"zed","community":"c1"}"#),
    ]
    let footprint = rules.footprint(of: batch)
    #expect(footprint.actionIDs == ["a1", "a2", "a3", "a4"])
    // The liker is not credited by a like; the author is, once; the learner is; an ignored type reads no one.
    #expect(footprint.members == [MemberID(scope: "c1", user: "ann"), MemberID(scope: "c2", user: "bob")])
    #expect(footprint.onceKeys.map(\.key) == ["l1"])
    #expect(footprint.onceKeys.first?.member == MemberID(scope: "c2", user: "bob"))
  }

  /// A batch's objects are forecast too, so a network store fetches them with the members.
  @Test func namesTheObjectsTheActionsAreAbout() throws {
    let rules = try Scenario(yaml: ObjectStateTests.yaml).rules
    let decoder = ActionDecoder(rules: rules)
    let batch = try ["p1", "p2", "p1"].enumerated().map {
      try decoder.decode(ObjectStateTests.vote("v", $1, id: "e\($0)"))
    }
    let members = rules.footprint(of: batch).members
    #expect(members.filter { !$0.isObject }.map(\.user) == ["ann"])
    #expect(members.filter(\.isObject).map(\.user) == ["p1", "p2"])
  }
}
