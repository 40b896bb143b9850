import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import Laurel
import LaurelSQLite
import LaurelServer
import Logging
import HTTPTypes
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// A webhook receiver: answers 503 while `down`, records what it accepts.
final class Receiver: Sendable {
  struct Delivery: Sendable {
    var id: String
    var type: String
    var timestamp: String
    var signature: String
    var body: String
  }
  let state = Mutex((down: true, attempts: [String](), accepted: [Delivery]()))

  func application(_ box: PortBox) -> some ApplicationProtocol {
    let router = Router()
    router.post("/hook") { request, _ -> Response in
      let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
      let delivery = Delivery(
        id: request.headers[HTTPField.Name("Laurel-Event-Id")!] ?? "",
        type: request.headers[HTTPField.Name("Laurel-Event-Type")!] ?? "",
        timestamp: request.headers[HTTPField.Name("Laurel-Timestamp")!] ?? "",
        signature: request.headers[HTTPField.Name("Laurel-Signature")!] ?? "", body: body)
      let down = self.state.withLock { state in
        state.attempts.append(delivery.id)
        if !state.down { state.accepted.append(delivery) }
        return state.down
      }
      return Response(status: down ? .serviceUnavailable : .ok)
    }
    var logger = Logger(label: "receiver")
    logger.logLevel = .warning
    return Application(
      router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
      onServerRunning: { box.set($0.localAddress?.port ?? 0) }, logger: logger)
  }
}

@Suite struct EventDeliveryTests {
  static let hookSecret = Array("webhook signing key".utf8)

  static func valid(_ delivery: Receiver.Delivery) -> Bool {
    let mac = HMAC<SHA256>.authenticationCode(
      for: Array("\(delivery.timestamp).\(delivery.body)".utf8), using: SymmetricKey(data: hookSecret))
    return delivery.signature == "v1=" + mac.map { String(format: "%02x", $0) }.joined()
  }

  @Test func webhooksSurviveADownReceiverAndARestartLosingNothing() async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-hooks-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("store.sqlite").path
    let receiver = Receiver()
    let box = PortBox()
    let hook = try await RunningApplication(receiver.application(box), portBox: box)
    let rules = try shippedRules("community-points")
    func start() async throws -> TestServer<SQLiteStore> {
      try await TestServer.start(Engine(rules: rules, store: try SQLiteStore(path: path))) {
        $0.webhooks = [.init(url: "\(hook.base)/hook", secret: Self.hookSecret)]
        $0.drainTimeout = .milliseconds(300)
      }
    }
    // The receiver is down while the first server ingests and stops.
    var server = try await start()
    let service = try await server.token("backend", roles: ["service"])
    for i in 0..<3 {
      _ = try await server.request(.POST, "/api/actions", token: service, body: like("h\(i)", author: "ann"))
    }
    // Wait (at most 20 s on a loaded machine) until the down receiver was tried.
    for _ in 0..<400 where receiver.state.withLock({ $0.attempts.isEmpty }) {
      try await Task.sleep(for: .milliseconds(50))
    }
    try await server.stop()
    #expect(receiver.state.withLock { $0.accepted.isEmpty && !$0.attempts.isEmpty })
    // A new server on the same store delivers everything once the receiver is back.
    receiver.state.withLock { $0.down = false }
    server = try await start()
    for i in 3..<6 {
      _ = try await server.request(.POST, "/api/actions", token: service, body: like("h\(i)", author: "ann"))
    }
    var accepted: [Receiver.Delivery] = []
    for _ in 0..<600 where accepted.count < 7 {
      try await Task.sleep(for: .milliseconds(50))
      accepted = receiver.state.withLock { $0.accepted }
    }
    try await server.stop()
    try await hook.stop()
    // 6 PointsAwarded and ann's level-up at 5 points, in order, each once, each signed.
    #expect(accepted.map(\.id) == (1...7).map(String.init), "\(accepted.map(\.id))")
    #expect(accepted.filter { $0.type == "MemberLeveledUp" }.count == 1)
    #expect(accepted.allSatisfy(Self.valid))
    let first = try JSONSerialization.jsonObject(with: Data(accepted[0].body.utf8)) as? [String: Any]
    #expect(first?["id"] as? String == "1" && first?["community_id"] as? String == "c1")
    #expect((first?["data"] as? [String: Any])?["new_total"] as? Int == 1)
    // Retried deliveries carried the id of the event they retried.
    let attempts = receiver.state.withLock { $0.attempts }
    #expect(Set(attempts).isSubset(of: Set((1...7).map(String.init))) && attempts.first == "1")
  }

  @Test func theEventStreamReplaysFromAnIdAndFollowsNewEvents() async throws {
    let engine = Engine(rules: try shippedRules("community-points"), store: InMemoryStore())
    let server = try await TestServer.start(engine)
    let service = try await server.token("backend", roles: ["service"])
    for i in 0..<2 {
      _ = try await server.request(.POST, "/api/actions", token: service, body: like("s\(i)", author: "ann"))
    }
    var request = HTTPClientRequest(url: "\(server.running.base)/api/events")
    request.headers.add(name: "Authorization", value: "Bearer \(service)")
    request.headers.add(name: "Last-Event-ID", value: "1")
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
    #expect(response.status.code == 200)
    #expect(response.headers["Content-Type"].first == "text/event-stream")
    var text = ""
    let reader = Task {
      for try await chunk in response.body {
        text += String(buffer: chunk)
        if text.components(separatedBy: "\nid: ").count >= 3 { break }
      }
      return text
    }
    try await Task.sleep(for: .milliseconds(200))
    _ = try await server.request(.POST, "/api/actions", token: service, body: like("s2", author: "bob"))
    let received = try await reader.value
    #expect(received.contains("id: 2\nevent: PointsAwarded\ndata: {\"id\":\"2\""), "\(received)")
    #expect(received.contains("id: 3\nevent: PointsAwarded"), "\(received)")
    #expect(!received.contains("id: 1\n"))
    let member = try await server.token("ann", members: ["c1"])
    #expect(try await server.request(.GET, "/api/events", token: member).status == 403)
    try await server.stop()
  }
}
