import Foundation
import Laurel
import LaurelServer
import Testing

/// `schemas/openapi.json` and the server cannot drift: the binary serves the
/// committed document, every documented operation is routed and answers
/// one of its documented statuses. (CI also runs schemathesis against a
/// running server: `.ci/openapi_check.sh`.)
@Suite struct OpenAPIDocumentTests {
  static let document = repositoryRoot.appendingPathComponent("schemas/openapi.json")

  @Test func theServerServesTheCommittedDocument() async throws {
    let server = try await TestServer.start(
      Engine(rules: try shippedRules("community-points"), store: InMemoryStore()))
    let served = try await server.request(.GET, "/openapi.json")
    #expect(served.status == 200)
    #expect(served.text == (try String(contentsOf: Self.document, encoding: .utf8)))
    try await server.stop()
  }

  @Test(arguments: ["community-points", "xp-grades-badges"])
  func everyDocumentedOperationIsRoutedAndAnswersADocumentedStatus(_ scheme: String) async throws {
    let engine = Engine(rules: try shippedRules(scheme), store: InMemoryStore())
    _ = try await engine.apply(json: like("seed", author: "ann"))
    let server = try await TestServer.start(engine)
    let root = try await server.token("root", roles: ["admin", "service"])
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.document)) as? [String: Any]
    let paths = object?["paths"] as? [String: [String: Any]] ?? [:]
    let scoped = scheme == "community-points"
    let values = [
      "{community}": "c1", "{user}": "ann", "{course}": "swift", "{board}": "points", "{badge}": "special_recognition",
      "{module}": "m1", "{object}": "post", "{key}": "a1",
    ]
    let bodies = [
      "/api/actions": like("doc-1", author: "ann"), "/api/actions/batch": "[\(like("doc-2", author: "ann"))]",
      "/admin/badges": #"{"name":"Doc badge"}"#, "/admin/badges/{badge}": #"{"name":"Doc badge"}"#,
      "/admin/users/{user}/badges": #"{"badge_id":"special_recognition"}"#,
      "/api/communities/{community}/levels": #"{"levels":[]}"#, "/api/levels": #"{"levels":[]}"#,
    ]
    var problems: [String] = []
    var checked = 0
    for (path, operations) in paths.sorted(by: { $0.key < $1.key }) {
      let family = path.hasPrefix("/api/communities/")
      let global =
        !family
        && ["/api/members", "/api/levels", "/api/courses", "/api/leaderboards", "/api/objects"].contains {
          path.hasPrefix($0)
        }
      if path == "/api/events" || (family && !scoped) || (global && scoped) { continue }
      var concrete = path
      for (name, value) in values { concrete = concrete.replacingOccurrences(of: name, with: value) }
      if path.hasPrefix("/admin/users") || path.hasPrefix("/admin/modules"), scoped { concrete += "?community=c1" }
      for (method, description) in operations {
        guard let verb = HTTPMethod(rawValue: method.uppercased()) else { continue }
        let documented = ((description as? [String: Any])?["responses"] as? [String: Any])?.keys.compactMap(Int.init)
        let body = ["POST", "PUT"].contains(verb.rawValue) ? bodies[path] ?? "{}" : nil
        let reply = try await server.request(verb, concrete, token: root, body: body)
        checked += 1
        if reply.text.contains("no such resource") || reply.status == 405 {
          problems.append("\(method) \(path) is not routed: \(reply)")
        } else if !(documented ?? []).contains(reply.status) {
          problems.append("\(method) \(path) answered \(reply.status), documented \(documented ?? [])")
        }
      }
    }
    #expect(checked >= 20)
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    try await server.stop()
  }
}
