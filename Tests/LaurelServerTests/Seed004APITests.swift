import Foundation
import Laurel
import LaurelServer
import Testing

/// Seed 004's five endpoints (§5) over real HTTP, with their shapes, status
/// codes and error codes.
@Suite struct Seed004APITests {
  /// A server over the shipped community scheme with ann at 25 points
  /// (Builder), bob at 6 (Learner) in c1, and cy in c2.
  static func community() async throws -> TestServer<InMemoryStore> {
    let engine = Engine(rules: try shippedRules("community-points"), store: InMemoryStore())
    for i in 0..<25 { _ = try await engine.apply(json: like("a\(i)", author: "ann")) }
    for i in 0..<6 { _ = try await engine.apply(json: like("b\(i)", author: "bob")) }
    _ = try await engine.apply(json: like("c0", author: "cy", community: "c2"))
    return try await .start(engine)
  }

  @Test func memberLevelShowsPointsToNextOnlyToTheMemberThemself() async throws {
    let server = try await Self.community()
    let ann = try await server.token("ann", members: ["c1"])
    let own = try await server.request(.GET, "/api/communities/c1/members/ann/level", token: ann)
    #expect(own.status == 200)
    #expect(
      own.text
        == #"{"user_id":"ann","level":3,"level_name":"Builder","total_points":25,"points_to_next_level":40,"is_max_level":false}"#
    )
    let other = try await server.request(.GET, "/api/communities/c1/members/bob/level", token: ann)
    #expect(
      other.text
        == #"{"user_id":"bob","level":2,"level_name":"Learner","total_points":6,"points_to_next_level":null,"is_max_level":false}"#
    )
    // A member the community has never seen starts at level 1.
    let stranger = try await server.request(.GET, "/api/communities/c1/members/zed/level", token: ann)
    #expect(stranger.object["level"] as? Int == 1 && stranger.object["total_points"] as? Int == 0)
    try await server.stop()
  }

  @Test func levelDefinitionsCarryDistributionAndTheAskingMembersLevel() async throws {
    let server = try await Self.community()
    let bob = try await server.token("bob", members: ["c1"])
    let reply = try await server.request(.GET, "/api/communities/c1/levels", token: bob)
    #expect(reply.status == 200)
    let levels = reply.object["levels"] as? [[String: Any]] ?? []
    #expect(levels.count == 9)
    #expect(levels.first?["name"] as? String == "Student" && levels.first?["threshold"] as? Int == 0)
    #expect(levels.map { $0["member_percentage"] as? Double ?? -1 }.prefix(3) == [0, 50, 50])
    #expect(reply.object["current_user_level"] as? Int == 2)
    try await server.stop()
  }

  @Test func sharesLagAtMostASecondBehindIngestion() async throws {
    let server = try await Self.community()
    let bob = try await server.token("bob", members: ["c1"])
    let service = try await server.token("backend", roles: ["service"])
    func shares() async throws -> [Double] {
      let reply = try await server.request(.GET, "/api/communities/c1/levels", token: bob)
      return (reply.object["levels"] as? [[String: Any]] ?? []).prefix(3).map {
        $0["member_percentage"] as? Double ?? -1
      }
    }
    #expect(try await shares() == [0, 50, 50])
    _ = try await server.request(.POST, "/api/actions", token: service, body: like("new-1", author: "dan"))
    // dan (1 point, Student) is counted within a second (one refresh after the entry is a second old).
    var seen: [Double] = []
    let deadline = ContinuousClock.now + .seconds(20)  // generous for a loaded machine
    while ContinuousClock.now < deadline {
      seen = try await shares()
      if seen == [33.3, 33.3, 33.3] { break }
      try await Task.sleep(for: .milliseconds(100))
    }
    #expect(seen == [33.3, 33.3, 33.3])
    try await server.stop()
  }

  @Test func adminsRenameLevelsAndMoveThresholdsWithRecalculation() async throws {
    let server = try await Self.community()
    let admin = try await server.token("boss", admins: ["c1"])
    let names = ["Beginner", "Explorer", "Maker", "Helper", "Guide", "Mentor", "Sage", "Elder", "Legend"]
    let thresholds = [0, 3, 6, 30, 100, 500, 2000, 8000, 30000]
    let body = """
      {"levels":[\(zip(names, thresholds).enumerated().map { #"{"level":\#($0.offset + 1),"name":"\#($0.element.0)","threshold":\#($0.element.1)}"# }.joined(separator: ","))]}
      """
    let reply = try await server.request(.PUT, "/api/communities/c1/levels", token: admin, body: body)
    #expect(reply.status == 200, "\(reply)")
    #expect((reply.object["levels"] as? [[String: Any]])?.map { $0["name"] as? String ?? "" } == names)
    #expect(reply.object["members_moved"] as? Int == 1)  // bob: 6 points is now Maker; ann stays at 3 (ratchet)
    let bob = try await server.token("bob", members: ["c1"])
    let level = try await server.request(.GET, "/api/communities/c1/members/bob/level", token: bob)
    #expect(level.object["level"] as? Int == 3 && level.object["level_name"] as? String == "Maker")
    // Another community keeps the rules' names.
    let cy = try await server.token("cy", members: ["c2"])
    let c2 = try await server.request(.GET, "/api/communities/c2/members/cy/level", token: cy)
    #expect(c2.object["level_name"] as? String == "Student")
    try await server.stop()
  }

  @Test func invalidLevelsAreRefusedWithEveryProblemAndNothingChanges() async throws {
    let server = try await Self.community()
    let admin = try await server.token("boss", admins: ["c1"])
    let body = """
      {"levels":[{"level":1,"name":"","threshold":5},{"level":2,"name":"<b>Two</b>","threshold":5},\
      {"level":3,"name":"two","threshold":4},{"level":4,"name":"\(String(repeating: "x", count: 31))","threshold":9},\
      {"level":5,"name":"E","threshold":10},{"level":6,"name":"F","threshold":11},{"level":7,"name":"G","threshold":12},\
      {"level":8,"name":"H","threshold":13},{"level":9,"name":"I","threshold":14}]}
      """
    let reply = try await server.request(.PUT, "/api/communities/c1/levels", token: admin, body: body)
    #expect(reply.status == 422)
    #expect(reply.code == "VALIDATION_ERROR")
    let fields = ((reply.object["error"] as? [String: Any])?["details"] as? [[String: Any]])?.compactMap {
      $0["field"] as? String
    }
    #expect(
      Set(fields ?? []).isSuperset(of: [
        "levels[0].name", "levels[0].threshold", "levels[2].threshold", "levels[3].name",
      ]))
    #expect(fields?.contains("levels[2].name") == true)  // "two" duplicates "Two" once tags are stripped
    let after = try await server.request(.GET, "/api/communities/c1/levels", token: admin)
    #expect((after.object["levels"] as? [[String: Any]])?.first?["name"] as? String == "Student")
    // Strict decoding: an unknown field and a wrong type name their paths.
    let unknown = try await server.request(
      .PUT, "/api/communities/c1/levels", token: admin, body: #"{"levels":[],"extra":1}"#)
    #expect(unknown.status == 422 && unknown.text.contains("\"field\":\"extra\""), "\(unknown)")
    let wrongType = try await server.request(
      .PUT, "/api/communities/c1/levels", token: admin, body: #"{"levels":[{"level":1,"name":"A","threshold":"0"}]}"#)
    #expect(wrongType.status == 422 && wrongType.text.contains("levels[0].threshold"), "\(wrongType)")
    let misnumbered = try await server.request(
      .PUT, "/api/communities/c1/levels", token: admin, body: #"{"levels":[{"level":2,"name":"A","threshold":0}]}"#)
    #expect(misnumbered.status == 422 && misnumbered.text.contains("levels[0].level"), "\(misnumbered)")
    let notJSON = try await server.request(.PUT, "/api/communities/c1/levels", token: admin, body: "{levels")
    #expect(notJSON.status == 400 && notJSON.code == "INVALID_JSON", "\(notJSON)")
    try await server.stop()
  }

  @Test func courseRequirementsGateAccessWithTheCommunitysNames() async throws {
    let server = try await Self.community()
    let admin = try await server.token("boss", admins: ["c1"])
    let bob = try await server.token("bob", members: ["c1"])
    let open = try await server.request(.GET, "/api/communities/c1/courses/swift/access", token: bob)
    #expect(
      open.text == #"{"has_access":true,"required_level":null,"required_level_name":null,"current_level":2}"#, "\(open)"
    )
    let set = try await server.request(
      .PUT, "/api/communities/c1/courses/swift/level-requirement", token: admin, body: #"{"minimum_level":3}"#)
    #expect(set.status == 200 && set.text == #"{"course_id":"swift","minimum_level":3}"#, "\(set)")
    let denied = try await server.request(.GET, "/api/communities/c1/courses/swift/access", token: bob)
    #expect(
      denied.text == #"{"has_access":false,"required_level":3,"required_level_name":"Builder","current_level":2}"#)
    for invalid in [#"{"minimum_level":10}"#, #"{"minimum_level":0}"#, #"{"minimum_level":"3"}"#, #"{}"#] {
      let reply = try await server.request(
        .PUT, "/api/communities/c1/courses/swift/level-requirement", token: admin, body: invalid)
      #expect(
        reply.status == 422 && reply.code == "VALIDATION_ERROR" && reply.text.contains("minimum_level"), "\(reply)")
    }
    let removed = try await server.request(
      .PUT, "/api/communities/c1/courses/swift/level-requirement", token: admin, body: #"{"minimum_level":null}"#)
    #expect(removed.text == #"{"course_id":"swift","minimum_level":null}"#)
    let reopened = try await server.request(.GET, "/api/communities/c1/courses/swift/access", token: bob)
    #expect(reopened.object["has_access"] as? Bool == true)
    try await server.stop()
  }

  @Test func leaderboardsLedgersAndProfilesAnswerBesideTheSeedEndpoints() async throws {
    let server = try await Self.community()
    let bob = try await server.token("bob", members: ["c1"])
    let board = try await server.request(.GET, "/api/communities/c1/leaderboards/points?window=all", token: bob)
    #expect(board.status == 200, "\(board)")
    let entries = board.object["entries"] as? [[String: Any]] ?? []
    #expect(entries.map { $0["user_id"] as? String ?? "" } == ["ann", "bob"])
    #expect((board.object["me"] as? [String: Any])?["rank"] as? Int == 2)
    let badWindow = try await server.request(.GET, "/api/communities/c1/leaderboards/points?window=week", token: bob)
    #expect(badWindow.status == 422)
    let unknownBoard = try await server.request(.GET, "/api/communities/c1/leaderboards/nope", token: bob)
    #expect(unknownBoard.status == 404 && unknownBoard.code == "NOT_FOUND")
    let ledger = try await server.request(.GET, "/api/communities/c1/members/bob/ledger?limit=2", token: bob)
    #expect((ledger.object["entries"] as? [[String: Any]])?.map { $0["balance"] as? Int ?? 0 } == [6, 5])
    let othersLedger = try await server.request(.GET, "/api/communities/c1/members/ann/ledger", token: bob)
    #expect(othersLedger.status == 403)
    let badLimit = try await server.request(.GET, "/api/communities/c1/members/bob/ledger?limit=0", token: bob)
    #expect(badLimit.status == 422 && badLimit.text.contains("\"field\":\"limit\""))
    let profile = try await server.request(.GET, "/api/communities/c1/members/bob/profile", token: bob)
    #expect(profile.object["experience_points"] as? Int == 6)
    #expect((profile.object["current_grade"] as? [String: Any])?["name"] as? String == "Learner")
    let scheme = try await server.request(.GET, "/api/scheme", token: bob)
    #expect(scheme.object["scheme"] as? String == "community-points" && scheme.object["scoped"] as? Bool == true)
    try await server.stop()
  }
}
