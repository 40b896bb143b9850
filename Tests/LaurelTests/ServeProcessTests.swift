import Foundation
import Laurel
import LaurelSQLite
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `laurel serve` process: it prints where it listens, answers a
/// token minted by `laurel token`, and on SIGTERM finishes and exits 0 with
/// what it committed kept.
@Suite struct ServeProcessTests {
  let folder: TemporaryFolder

  init() throws { folder = try TemporaryFolder("laurel-serve") }

  @Test func servesATokenItMintedAndStopsCleanlyOnSIGTERM() async throws {
    let secret = folder.url.appendingPathComponent("secret")
    try Data("a secret of at least thirty-two bytes, for HS256\n".utf8).write(to: secret)
    let store = folder.url.appendingPathComponent("store.sqlite").path
    let server = Process()
    server.executableURL = URL(fileURLWithPath: try BuiltLaurel.path)
    server.arguments = [
      "serve", "--rules", Scenario.repository.appendingPathComponent("rules/community-points.yaml").path,
      "--store", store, "--jwt-secret-file", secret.path, "--port", "0", "--log-level", "warning",
    ]
    let errors = Pipe()
    server.standardError = errors
    try server.run()
    defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
    // "laurel: serving community-points on http://127.0.0.1:PORT"
    let printed = Mutex("")
    let reader = Thread {
      while true {
        let data = errors.fileHandleForReading.availableData
        if data.isEmpty { return }
        printed.withLock { $0 += String(decoding: data, as: UTF8.self) }
      }
    }
    reader.start()
    var base: String?
    for _ in 0..<1500 where base == nil {  // 30 s at most, for a loaded machine
      try await Task.sleep(for: .milliseconds(20))
      base = printed.withLock { text in
        text.range(of: "http://127.0.0.1:[0-9]+", options: .regularExpression).map { String(text[$0]) }
      }
    }
    let url = try #require(base, "the server printed no address: \(printed.withLock { $0 })")

    let token = try await BuiltLaurel.output([
      "token", "--jwt-secret-file", secret.path, "--sub", "backend", "--service",
    ])
    .trimmingCharacters(in: .whitespacesAndNewlines)
    var request = URLRequest(url: URL(string: "\(url)/api/actions")!)
    request.httpMethod = "POST"
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
    request.httpBody = Data(
      #"{"id":"p1","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"bob","community":"c1","author":"ann"}"#.utf8)
    let (body, response) = try await URLSession.shared.data(for: request)
    #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: body, as: UTF8.self))")

    kill(server.processIdentifier, SIGTERM)
    for _ in 0..<1500 where server.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    #expect(!server.isRunning)
    #expect(server.terminationReason == .exit && server.terminationStatus == 0)
    let engine = Engine(rules: try Scenario("community-points.yaml").rules, store: try SQLiteStore(path: store))
    #expect(try await engine.profile(of: MemberID(scope: "c1", user: "ann")).balance("points") == 1)
  }
}
