import AsyncHTTPClient
import Foundation
import Hummingbird
import JWTKit
import Laurel
import LaurelRules
import LaurelServer
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import Testing

/// The repository's root (tests read the shipped rule files).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

func shippedRules(_ name: String) throws -> CompiledRules {
  try RuleLoader().load(paths: [repositoryRoot.appendingPathComponent("rules/\(name).yaml").path])
}

let testSecret = Array("a test secret that is long enough for HS256!".utf8)

/// An application running on a free loopback port until `stop()`.
final class RunningApplication: Sendable {
  let port: Int
  private let group: ServiceGroup
  private let task: Task<Void, any Error>

  init(_ application: some ApplicationProtocol & Service, portBox: PortBox) async throws {
    group = ServiceGroup(
      configuration: .init(services: [application], gracefulShutdownSignals: [], logger: Logger(label: "test")))
    let group = self.group
    task = Task { try await group.run() }
    port = try await portBox.wait()
  }

  var base: String { "http://127.0.0.1:\(port)" }

  /// Stops gracefully and waits for the application to end.
  func stop() async throws {
    await group.triggerGracefulShutdown()
    try await task.value
  }
}

/// The port a server reports once listening.
final class PortBox: Sendable {
  private let value = Mutex<Int?>(nil)
  func set(_ port: Int) { value.withLock { $0 = port } }
  func wait() async throws -> Int {
    for _ in 0..<3000 {  // 30 s at most: servers start slowly on a loaded machine
      if let port = value.withLock({ $0 }) { return port }
      try await Task.sleep(for: .milliseconds(10))
    }
    throw CancellationError()
  }
}

/// A Laurel server on a free port over `engine`.
struct TestServer<S: AdminStore>: Sendable {
  let running: RunningApplication
  let issuer: TokenIssuer

  static func start(
    _ engine: Engine<S>, configure: (inout ServerConfiguration) -> Void = { _ in }
  ) async throws -> TestServer {
    var configuration = ServerConfiguration(tokens: TokenSettings(secret: testSecret))
    configuration.port = 0
    configuration.distributionInterval = nil
    configure(&configuration)
    var logger = Logger(label: "laurel.test")
    logger.logLevel = .warning
    let server = try await LaurelServer(engine: engine, configuration: configuration, logger: logger)
    let box = PortBox()
    let running = try await RunningApplication(server.application { box.set($0) }, portBox: box)
    return TestServer(running: running, issuer: await TokenIssuer(secret: testSecret))
  }

  func stop() async throws { try await running.stop() }

  func token(
    _ subject: String, members: [String] = [], admins: [String] = [], roles: [String] = []
  ) async throws -> String {
    try await issuer.token(subject: subject, members: members, admins: admins, roles: roles)
  }

  func request(
    _ method: HTTPMethod, _ path: String, token: String? = nil, body: String? = nil,
    headers: [(String, String)] = [], timeout: Duration = .seconds(120)
  ) async throws -> Reply {
    try await send(method, running.base + path, token: token, body: body, headers: headers, timeout: timeout)
  }
}

/// An HTTP answer: status and body, the body parsed as JSON when it is.
struct Reply: CustomStringConvertible {
  var status: Int
  var headers: [(String, String)]
  var text: String
  var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) }
  var object: [String: Any] { json as? [String: Any] ?? [:] }
  /// The error code of an error body.
  var code: String? { (object["error"] as? [String: Any])?["code"] as? String }
  var description: String { "\(status) \(text)" }
}

enum HTTPMethod: String { case GET, POST, PUT, DELETE }

func send(
  _ method: HTTPMethod, _ url: String, token: String? = nil, body: String? = nil, headers: [(String, String)] = [],
  timeout: Duration = .seconds(120)
) async throws -> Reply {
  var request = HTTPClientRequest(url: url)
  request.method = .init(rawValue: method.rawValue)
  if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
  for (name, value) in headers { request.headers.add(name: name, value: value) }
  if let body {
    if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
      request.headers.add(name: "Content-Type", value: "application/json")
    }
    request.body = .bytes(ByteBuffer(string: body))
  }
  let response = try await HTTPClient.shared.execute(
    request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
  let bytes = try await response.body.collect(upTo: 32 << 20)
  return Reply(
    status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
    text: String(buffer: bytes))
}

/// A seed-004 action as JSON.
func like(_ id: String, author: String, community: String = "c1", at: String = "2026-03-01T10:00:00Z") -> String {
  #"{"id":"\#(id)","type":"post_liked","at":"\#(at)","user":"fan","community":"\#(community)","author":"\#(author)"}"#
}
