import AsyncHTTPClient
import Foundation
import Hummingbird
import LaurelPlayground
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import Testing

/// The repository's root (tests copy the shipped rule files).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// A copy of `rules/` (and its examples) in a temporary folder, so that saves touch nothing shipped.
func copyOfRules() throws -> URL {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-playground-test-\(UUID())")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  let rules = folder.appendingPathComponent("rules")
  try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("rules"), to: rules)
  return rules
}

/// A playground on a free loopback port until `stop()`.
final class RunningPlayground: Sendable {
  let url: URL
  let token: String
  private let group: ServiceGroup
  private let task: Task<Void, any Error>

  init(_ configure: (inout PlaygroundConfiguration) -> Void) async throws {
    var configuration = PlaygroundConfiguration(rules: "")
    configuration.port = 0
    configure(&configuration)
    token = configuration.token
    let playground = try Playground(configuration)
    let found = Mutex<URL?>(nil)
    let application = await playground.application { url in found.withLock { $0 = url } }
    group = ServiceGroup(
      configuration: .init(services: [application], gracefulShutdownSignals: [], logger: Logger(label: "test")))
    let group = self.group
    task = Task { try await group.run() }
    var waited = 0
    while found.withLock({ $0 }) == nil {
      try await Task.sleep(for: .milliseconds(10))
      waited += 1
      if waited > 3000 { throw CancellationError() }
    }
    url = found.withLock { $0 }!
  }

  var base: String { "http://127.0.0.1:\(url.port!)" }

  func stop() async throws {
    await group.triggerGracefulShutdown()
    try await task.value
  }

  /// A request as the page sends it: JSON, with the token, from this machine.
  func call(
    _ path: String, _ body: [String: Any]? = nil, token: String? = nil, headers: [(String, String)] = [],
    raw: ByteBuffer? = nil
  ) async throws -> Reply {
    var request = HTTPClientRequest(url: base + path)
    request.method = body == nil && raw == nil ? .GET : .POST
    request.headers.add(name: "X-Laurel-Token", value: token ?? self.token)
    for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
    if let body {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    } else if let raw {
      request.body = .bytes(raw)
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
    let bytes = try await response.body.collect(upTo: 64 << 20)
    return Reply(status: Int(response.status.code), text: String(buffer: bytes))
  }
}

/// An HTTP answer: status and body, the body parsed as JSON.
struct Reply: CustomStringConvertible {
  var status: Int
  var text: String
  var object: [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
  }
  var error: [String: Any] { object["error"] as? [String: Any] ?? [:] }
  var code: String? { error["code"] as? String }
  var description: String { "\(status) \(text.prefix(2000))" }
}
