import Foundation
import Laurel
import LaurelServer
import Testing

/// Seed 000's admin API (§3.1) and profile data (§4.1) over the shipped XP
/// scheme, a scheme without communities.
@Suite struct Seed000AdminAPITests {
  static func xpServer() async throws -> (TestServer<InMemoryStore>, String) {
    let engine = Engine(rules: try shippedRules("xp-grades-badges"), store: InMemoryStore())
    let history = try String(
      contentsOf: repositoryRoot.appendingPathComponent("rules/examples/xp-history.jsonl"), encoding: .utf8)
    for line in history.split(separator: "\n") { _ = try await engine.apply(json: String(line)) }
    let server = try await TestServer.start(engine)
    return (server, try await server.token("root", roles: ["admin"]))
  }

  @Test func specialBadgesAreCreatedEditedListedAndGrantedOnce() async throws {
    let (server, root) = try await Self.xpServer()
    let created = try await server.request(
      .POST, "/admin/badges", token: root,
      body:
        #"{"name":"Early Bird","description":"Joined in the first week.","image_url":"https://cdn.example.com/b.png"}"#)
    #expect(created.status == 201, "\(created)")
    #expect(created.object["id"] as? String == "early_bird" && created.object["kind"] as? String == "runtime")
    let invalid = try await server.request(
      .POST, "/admin/badges", token: root, body: #"{"id":"bad id!","name":"<i></i>","image_url":"ftp://x"}"#)
    #expect(invalid.status == 422 && invalid.code == "VALIDATION_ERROR", "\(invalid)")
    for field in ["\"field\":\"id\"", "\"field\":\"name\"", "\"field\":\"image_url\""] {
      #expect(invalid.text.contains(field), "\(field) in \(invalid)")
    }
    let conflict = try await server.request(.POST, "/admin/badges", token: root, body: #"{"name":"Early Bird"}"#)
    #expect(conflict.status == 409 && conflict.code == "CONFLICT", "\(conflict)")
    let edited = try await server.request(
      .PUT, "/admin/badges/early_bird", token: root, body: #"{"name":"Early Bird","description":"First week."}"#)
    #expect(edited.object["description"] as? String == "First week.")
    let rulesBadge = try await server.request(
      .PUT, "/admin/badges/module_expert_contributor", token: root, body: #"{"name":"x"}"#)
    #expect(rulesBadge.status == 422 && rulesBadge.code == "ADMIN_NOT_MANUAL", "\(rulesBadge)")
    let list = try await server.request(.GET, "/admin/badges?kind=runtime", token: root)
    #expect(list.object["total"] as? Int == 1)
    let all = try await server.request(.GET, "/admin/badges?limit=2&offset=1", token: root)
    #expect(all.object["total"] as? Int == 3 && (all.object["badges"] as? [Any])?.count == 2)
    #expect(try await server.request(.GET, "/admin/badges?kind=shiny", token: root).status == 422)

    let granted = try await server.request(
      .POST, "/admin/users/ana/badges", token: root, body: #"{"badge_id":"special_recognition","reason":"Helped"}"#)
    #expect(granted.status == 201 && granted.object["granted"] as? Bool == true, "\(granted)")
    let twice = try await server.request(
      .POST, "/admin/users/ana/badges", token: root, body: #"{"badge_id":"special_recognition"}"#)
    #expect(twice.status == 200 && twice.object["granted"] as? Bool == false)
    let automatic = try await server.request(
      .POST, "/admin/users/ana/badges", token: root, body: #"{"badge_id":"module_expert_contributor"}"#)
    #expect(automatic.status == 422 && automatic.code == "ADMIN_NOT_MANUAL", "\(automatic)")
    let unknown = try await server.request(.POST, "/admin/users/ana/badges", token: root, body: #"{"badge_id":"nope"}"#)
    #expect(unknown.status == 404, "\(unknown)")
    _ = try await server.request(.POST, "/admin/users/ana/badges", token: root, body: #"{"badge_id":"early_bird"}"#)
    let held = try await server.request(.GET, "/admin/users/ana/badges", token: root)
    let badges = held.object["badges"] as? [[String: Any]] ?? []
    // ana earned the module expert badge in the history already.
    #expect(
      Set(badges.compactMap { $0["id"] as? String }) == [
        "module_expert_contributor", "special_recognition", "early_bird",
      ])
    #expect(badges.first { $0["id"] as? String == "special_recognition" }?["granted_by"] as? String == "root")
    let revoked = try await server.request(.DELETE, "/admin/users/ana/badges/early_bird", token: root)
    #expect(revoked.status == 204)
    let notHeld = try await server.request(.DELETE, "/admin/users/ana/badges/early_bird", token: root)
    #expect(notHeld.status == 404)
    let audit = try await server.request(.GET, "/admin/audit?limit=3", token: root)
    #expect((audit.object["entries"] as? [[String: Any]])?.first?["operation"] as? String == "badge.revoke")
    try await server.stop()
  }

  @Test func usersAreListedAndSearchedAndModulesListTheirProgress() async throws {
    let (server, root) = try await Self.xpServer()
    let page = try await server.request(.GET, "/admin/users?limit=2", token: root)
    #expect(page.status == 200, "\(page)")
    let total = page.object["total"] as? Int ?? 0
    #expect(total >= 4 && (page.object["users"] as? [Any])?.count == 2)
    let search = try await server.request(.GET, "/admin/users?search=an", token: root)
    #expect((search.object["users"] as? [[String: Any]])?.map { $0["user_id"] as? String ?? "" } == ["ana"])
    let scoped = try await server.request(.GET, "/admin/users?community=c1", token: root)
    #expect(scoped.status == 422, "the XP scheme has no communities")
    let modules = try await server.request(.GET, "/admin/modules/m1/users", token: root)
    #expect(modules.status == 200 && (modules.object["users"] as? [[String: Any]]) != nil, "\(modules)")
    let badStatus = try await server.request(.GET, "/admin/modules/m1/users?status=Done", token: root)
    #expect(badStatus.status == 422)
    try await server.stop()
  }

  @Test func profilesCarryXPTheGradeWithItsAnimationAndBadges() async throws {
    let (server, root) = try await Self.xpServer()
    _ = try await server.request(
      .POST, "/admin/users/ana/badges", token: root, body: #"{"badge_id":"special_recognition"}"#)
    let ana = try await server.token("ana")
    let profile = try await server.request(.GET, "/api/members/ana/profile", token: ana)
    #expect(profile.status == 200, "\(profile)")
    #expect((profile.object["experience_points"] as? Int ?? 0) > 0)
    let grade = profile.object["current_grade"] as? [String: Any]
    #expect((grade?["animation_asset_url"] as? String)?.hasPrefix("https://cdn.example.com/grades/") == true)
    let badge = (profile.object["badges"] as? [[String: Any]])?.first { $0["id"] as? String == "special_recognition" }
    #expect(badge?["name"] as? String == "Special Recognition" && badge?["earned_timestamp"] is String)
    #expect(badge?["description"] as? String == "Granted by an admin.")
    let grades = try await server.request(.GET, "/api/levels", token: ana)
    #expect((grades.object["levels"] as? [Any])?.count == 8)
    let notOverridable = try await server.request(
      .PUT, "/api/levels", token: root, body: #"{"levels":[{"level":1,"name":"A","threshold":0}]}"#)
    #expect(notOverridable.status == 422 && notOverridable.code == "ADMIN_NOT_OVERRIDABLE", "\(notOverridable)")
    #expect(try await server.request(.GET, "/api/communities/c1/levels", token: root).status == 404)
    try await server.stop()
  }
}
