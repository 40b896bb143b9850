import Foundation
import Laurel
import LaurelSQLite
import LaurelServer
import Testing

/// `POST /api/actions` and its batch form: outcomes per action, idempotent
/// by id, committed before the answer, service credential only.
@Suite struct IngestionTests {
  static func sqliteServer() async throws -> (TestServer<SQLiteStore>, String, URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-ingest-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("store.sqlite").path
    let store = try SQLiteStore(path: path)
    let server = try await TestServer.start(Engine(rules: try shippedRules("community-points"), store: store))
    return (server, try await server.token("backend", roles: ["service"]), folder)
  }

  @Test func singleActionsAnswerTheirOutcomeAfterTheCommit() async throws {
    let (server, service, folder) = try await Self.sqliteServer()
    defer { try? FileManager.default.removeItem(at: folder) }
    let applied = try await server.request(.POST, "/api/actions", token: service, body: like("x1", author: "ann"))
    #expect(applied.status == 200, "\(applied)")
    #expect(applied.object["status"] as? String == "applied")
    #expect((applied.object["ledger"] as? [[String: Any]])?.first?["balance"] as? Int == 1)
    let again = try await server.request(.POST, "/api/actions", token: service, body: like("x1", author: "ann"))
    #expect(again.object["status"] as? String == "duplicate")
    let ignored = try await server.request(
      .POST, "/api/actions", token: service,
      body: #"{"id":"x2","type":"unknown_type","at":"2026-03-01T10:00:00Z","user":"u","community":"c1"}"#)
    #expect(ignored.object["status"] as? String == "ignored", "\(ignored)")
    let missing = try await server.request(
      .POST, "/api/actions", token: service, body: #"{"id":"x3","type":"post_liked","user":"u","community":"c1"}"#)
    #expect(missing.status == 422 && missing.code == "ACTION_MISSING_FIELD", "\(missing)")
    let huge = try await server.request(
      .POST, "/api/actions", token: service, body: String(repeating: " ", count: (1 << 20) + 1))
    #expect(huge.status == 413 && huge.code == "PAYLOAD_TOO_LARGE", "\(huge)")
    let invalidUTF8 = try await server.request(
      .POST, "/api/actions", token: service, body: "{\"id\":\"x4\u{FFFD}\",\"type\":1}")
    #expect(invalidUTF8.status == 422, "\(invalidUTF8)")
    try await server.stop()
    // Committed: another connection sees ann's point.
    let reopened = try SQLiteStore(path: folder.appendingPathComponent("store.sqlite").path)
    let profile = try await Engine(rules: try shippedRules("community-points"), store: reopened).profile(
      of: MemberID(scope: "c1", user: "ann"))
    #expect(profile.balance("points") == 1)
    // And counted, as `laurel ingest` counts: export prints these.
    let counts = try await reopened.eventCounts()
    #expect(counts.read == 3 && counts.applied == 1 && counts.duplicates == 1 && counts.ignored == 1, "\(counts)")
    #expect(counts.notifications.pointsAwarded == 1, "\(counts)")
  }

  @Test func concurrentRequestsAreGroupCommittedAndNoneIsLost() async throws {
    let (server, service, folder) = try await Self.sqliteServer()
    defer { try? FileManager.default.removeItem(at: folder) }
    let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
      for i in 0..<200 {
        group.addTask {
          // Durable commits on a machine the other suites keep busy: what counts is that
          // none is lost, not how long 200 of them wait for the disk.
          try await server.request(
            .POST, "/api/actions", token: service, body: like("c\(i)", author: "u\(i % 7)"), timeout: .seconds(180)
          ).status
        }
      }
      return try await group.reduce(into: [Int]()) { $0.append($1) }
    }
    #expect(statuses.allSatisfy { $0 == 200 })
    let admin = try await server.token("root", roles: ["admin"])
    let page = try await server.request(.GET, "/admin/users?community=c1&limit=10", token: admin)
    let total = (page.object["users"] as? [[String: Any]])?.reduce(0) {
      $0 + ((($1["balances"] as? [String: Any])?["points"] as? Int) ?? 0)
    }
    #expect(total == 200)
    try await server.stop()
  }

  @Test func batchesTakeNDJSONOrArraysAndAnswerEachActionByPosition() async throws {
    let (server, service, folder) = try await Self.sqliteServer()
    defer { try? FileManager.default.removeItem(at: folder) }
    let ndjson = [like("b1", author: "ann"), "", "{not json", like("b1", author: "ann"), like("b2", author: "bob")]
      .joined(separator: "\n")
    let reply = try await server.request(
      .POST, "/api/actions/batch", token: service, body: ndjson, headers: [("Content-Type", "application/x-ndjson")])
    #expect(reply.status == 200, "\(reply)")
    #expect(reply.object["applied"] as? Int == 2 && reply.object["rejected"] as? Int == 1)
    #expect(reply.object["duplicates"] as? Int == 1)
    let outcomes = reply.object["outcomes"] as? [[String: Any]] ?? []
    #expect(outcomes.map { $0["line"] as? Int ?? 0 } == [1, 3, 4, 5])
    #expect((outcomes[1]["error"] as? [String: Any])?["code"] as? String == "ACTION_INVALID_JSON")
    let array = "[\(like("b3", author: "ann")), \(like("b4", author: "cy"))]"
    let arrayReply = try await server.request(.POST, "/api/actions/batch", token: service, body: array)
    #expect(arrayReply.object["applied"] as? Int == 2, "\(arrayReply)")
    #expect((arrayReply.object["outcomes"] as? [[String: Any]])?.map { $0["index"] as? Int ?? -1 } == [0, 1])
    let broken = try await server.request(
      .POST, "/api/actions/batch", token: service, body: "[\(like("b5", author: "a"))")
    #expect(broken.status == 400 && broken.code == "INVALID_JSON")
    let member = try await server.token("ann", members: ["c1"])
    let selfAward = try await server.request(.POST, "/api/actions/batch", token: member, body: array)
    #expect(selfAward.status == 403, "members never award themselves")
    try await server.stop()
  }
}
