import Foundation
import Laurel
import LaurelServer
import Testing

/// `GET …/objects/{object}/{key}`: an object's counters (a Stack Exchange
/// post's score) over HTTP, whoever owns the object.
@Suite struct ObjectRoutesTests {
  static func action(_ id: String, _ type: String, user: String, _ fields: String) -> String {
    #"{"id":"\#(id)","type":"\#(type)","at":"2026-03-01T10:00:00Z","user":"\#(user)",\#(fields)}"#
  }

  @Test func aPostsCountersAreReadByNameAndKey() async throws {
    let engine = Engine(rules: try shippedRules("stack-exchange"), store: InMemoryStore())
    for line in [
      Self.action("e1", "answer_posted", user: "ann", #""post":"a1","asker":"bob","first":true"#),
      Self.action("e2", "answer_upvoted", user: "cat", #""post":"a1","owner":"ann""#),
      Self.action("e3", "answer_upvoted", user: "dan", #""post":"a1","owner":"ann""#),
      Self.action("e4", "answer_downvoted", user: "eve", #""post":"a1","owner":"ann""#),
    ] {
      let outcome = try await engine.apply(json: line)
      #expect(outcome.status == .applied, "\(line): \(outcome.status)")
    }
    let server = try await TestServer.start(engine)
    let cat = try await server.token("cat")

    let post = try await server.request(.GET, "/api/objects/post/a1", token: cat)
    #expect(post.status == 200, "\(post)")
    #expect(post.object["object"] as? String == "post" && post.object["key"] as? String == "a1")
    let counters = post.object["counters"] as? [String: Any]
    #expect(counters?["answer_score"] as? Int == 1, "two up, one down: \(post)")
    #expect(counters?["first_answer"] as? Int == 1 && counters?["accepted"] as? Int == 0, "\(post)")

    let never = try await server.request(.GET, "/api/objects/post/a9", token: cat)
    #expect(never.status == 200 && (never.object["counters"] as? [String: Any])?["answer_score"] as? Int == 0)

    let unknown = try await server.request(.GET, "/api/objects/comment/a1", token: cat)
    #expect(unknown.status == 404 && unknown.code == "NOT_FOUND", "\(unknown)")
    #expect(unknown.text.contains("no such object 'comment'; this scheme keeps: post"), "\(unknown)")

    #expect(try await server.request(.GET, "/api/objects/post/a1").status == 401)
    let scheme = try await server.request(.GET, "/api/scheme", token: cat)
    #expect(scheme.object["objects"] as? [String] == ["post"], "\(scheme)")
    try await server.stop()
  }

  @Test func aSchemeWithoutObjectsSaysSo() async throws {
    let server = try await TestServer.start(
      Engine(rules: try shippedRules("community-points"), store: InMemoryStore()))
    let ann = try await server.token("ann", members: ["c1"])
    let reply = try await server.request(.GET, "/api/communities/c1/objects/post/a1", token: ann)
    #expect(reply.status == 404 && reply.text.contains("this scheme declares none"), "\(reply)")
    try await server.stop()
  }
}
