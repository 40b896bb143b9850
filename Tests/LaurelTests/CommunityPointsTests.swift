import Laurel
import LaurelReplay
import LaurelReports
import Testing

/// Seed 004 ("Points & Levels") behaviours, on `rules/community-points.yaml`.
@Suite struct CommunityPointsTests {
  var scenario: Scenario
  init() throws { scenario = try Scenario("community-points.yaml") }

  func like(
    _ liker: String, _ author: String, at time: String = "2026-03-01T10:00:00Z", in community: String = "c1"
  ) -> String {
    #"{"type":"post_liked","at":"\#(time)","user":"\#(liker)","community":"\#(community)","author":"\#(author)","post":"p1"}"#
  }

  func unlike(_ liker: String, _ author: String) -> String {
    #"{"type":"post_unliked","at":"2026-03-01T11:00:00Z","user":"\#(liker)","community":"c1","author":"\#(author)","post":"p1"}"#
  }

  func lesson(_ user: String, _ lesson: String) -> String {
    #"{"type":"lesson_completed","at":"2026-03-01T12:00:00Z","user":"\#(user)","community":"c1","lesson":"\#(lesson)"}"#
  }

  @Test mutating func paysLikesToTheAuthorNotTheLiker() throws {
    try scenario.apply(like("bob", "alice"))
    #expect(scenario.balance("alice", in: "c1", "points") == 1)
    #expect(scenario.member("bob", in: "c1") == nil)
  }

  @Test mutating func deductsAnUnlikeFromTheAuthor() throws {
    try scenario.apply(like("bob", "alice"))
    try scenario.apply(like("carol", "alice"))
    let outcome = try scenario.apply(unlike("bob", "alice"))
    #expect(scenario.balance("alice", in: "c1", "points") == 1)
    #expect(outcome.ledger.map(\.amount) == [-1])
    #expect(outcome.memberEvents == [.pointsDeducted(outcome.ledger[0])])
  }

  @Test mutating func floorsPointsAtZero() throws {
    try scenario.apply(like("bob", "alice"))
    try scenario.apply(unlike("bob", "alice"))
    let outcome = try scenario.apply(unlike("bob", "alice"))
    #expect(scenario.balance("alice", in: "c1", "points") == 0)
    #expect(outcome.ledger.isEmpty, "nothing applied, so no ledger entry")
  }

  @Test mutating func paysALessonOnlyOnce() throws {
    try scenario.apply(lesson("ann", "l1"))
    let again = try scenario.apply(lesson("ann", "l1"))
    try scenario.apply(lesson("ann", "l2"))
    #expect(again.status == .applied && again.ledger.isEmpty)
    #expect(scenario.balance("ann", in: "c1", "points") == 10)
  }

  @Test mutating func levelsUpAtExactThresholdsAndSkipsLevels() throws {
    for i in 1...4 { try scenario.apply(lesson("ann", "l\(i)")) }  // 20 points: Builder (3)
    #expect(scenario.tier("ann", in: "c1", "level")?.rank == 3)
    #expect(scenario.tier("ann", in: "c1", "level")?.name == "Builder")
    #expect(scenario.tier("ann", in: "c1", "level")?.threshold == 20)
    #expect(scenario.simulation.memberEvents.leveledUp == 2)
    var fresh = try Scenario("community-points.yaml")
    for i in 1...13 { try fresh.apply(lesson("ben", "l\(i)")) }  // 65 points in steps of 5
    #expect(fresh.tier("ben", in: "c1", "level")?.rank == 4)
  }

  @Test mutating func countsAJumpOfSeveralLevelsAsSeveralSteps() throws {
    var s = try Scenario(
      yaml: """
        scheme: jump
        currencies: { points: {} }
        actions: { big: [ { award: { points: 70 } } ] }
        ladders: { level: { currency: points, tiers: [ { name: A, at: 0 }, { name: B, at: 5 }, { name: C, at: 20 }, { name: D, at: 65 } ] } }
        """)
    let outcome = try s.apply(#"{"type":"big","at":"2026-03-01T10:00:00Z","user":"u"}"#)
    #expect(outcome.tierChanges.map { [$0.from, $0.to] } == [[1, 4]])
    #expect(s.simulation.memberEvents.leveledUp == 3)
  }

  @Test mutating func neverLowersALevel() throws {
    for i in 1...4 { try scenario.apply(lesson("alice", "l\(i)")) }  // 20 -> Builder
    for _ in 1...3 { try scenario.apply(unlike("bob", "alice")) }  // 17
    #expect(scenario.balance("alice", in: "c1", "points") == 17)
    #expect(scenario.tier("alice", in: "c1", "level")?.rank == 3)
  }

  @Test mutating func keepsCommunitiesApart() throws {
    try scenario.apply(like("bob", "alice", in: "c1"))
    try scenario.apply(like("bob", "alice", in: "c2"))
    try scenario.apply(like("carol", "alice", in: "c2"))
    #expect(scenario.balance("alice", in: "c1", "points") == 1)
    #expect(scenario.balance("alice", in: "c2", "points") == 2)
  }

  @Test mutating func ignoresADuplicateActionID() throws {
    let json =
      #"{"id":"same","type":"post_created","at":"2026-03-01T10:00:00Z","user":"ann","community":"c1","author":"ann","post":"p1"}"#
    try scenario.apply(json)
    let again = try scenario.apply(json)
    #expect(again.status == .duplicate)
    #expect(scenario.balance("ann", in: "c1", "points") == 2)
    #expect(scenario.simulation.counts.duplicates == 1)
  }

  @Test mutating func rejectsMalformedActionsAndChangesNothing() throws {
    try scenario.apply(like("bob", "alice"))
    let before = scenario.simulation.report().members
    scenario.applyRaw(#"{"id":"m1","at":"2026-03-01T10:00:00Z","user":"bob","community":"c1"}"#)
    scenario.applyRaw(
      #"{"id":"m2","type":"post_liked","at":"not a time","user":"bob","community":"c1","author":"alice"}"#)
    scenario.applyRaw(#"{"id":"m3","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"bob","community":"c1"}"#)
    scenario.applyRaw(
      #"{"id":"m4","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"bob","community":"c1","author":42}"#)
    scenario.applyRaw(#"{"id":"m5","type":"post_liked""#)
    #expect(scenario.simulation.counts.rejected == 5)
    #expect(scenario.simulation.report().members == before)
    let reasons = scenario.simulation.rejections.map(\.error.message)
    #expect(reasons[0] == "action m1 has no 'type'")
    #expect(reasons[2] == "action m3: rule 'post_liked': no such key: 'event.author'")
    #expect(reasons[3] == "action m4: field 'author' must be string, got int 42")
    // A rejected id is not recorded: the corrected action still applies.
    try scenario.apply(
      #"{"id":"m3","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"bob","community":"c1","author":"alice","post":"p1"}"#
    )
    #expect(scenario.balance("alice", in: "c1", "points") == 2)
  }

  @Test mutating func countsUnknownActionTypesAsIgnored() throws {
    let outcome = try scenario.apply(
      #"{"type":"profile_viewed","at":"2026-03-01T10:00:00Z","user":"bob","community":"c1"}"#)
    #expect(outcome.status == .ignored)
    #expect(scenario.simulation.counts.ignored == 1)
  }
}
