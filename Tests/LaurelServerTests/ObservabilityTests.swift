import Foundation
import Laurel
import LaurelServer
import Testing

/// Seed 004 §13's metrics at `/metrics` (Prometheus text), with no user id in any label.
@Suite struct ObservabilityTests {
  @Test func metricsCountPointsAndLevelUpsWithoutUserIDs() async throws {
    Observability.bootstrap()
    let server = try await TestServer.start(
      Engine(rules: try shippedRules("community-points"), store: InMemoryStore()))
    let service = try await server.token("backend", roles: ["service"])
    for i in 0..<6 {
      _ = try await server.request(.POST, "/api/actions", token: service, body: like("m\(i)", author: "secret-user-7"))
    }
    _ = try await server.request(
      .POST, "/api/actions", token: service,
      body:
        #"{"id":"m-un","type":"post_unliked","at":"2026-03-01T10:00:00Z","user":"fan","community":"c1","author":"secret-user-7"}"#
    )
    let metrics = try await server.request(.GET, "/metrics")
    #expect(metrics.status == 200)
    let lines = metrics.text.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("gamification_points_awarded{") && $0.contains("source=\"post_liked\"") })
    #expect(lines.contains { $0.hasPrefix("gamification_points_deducted{") && $0.contains("source=\"post_unliked\"") })
    #expect(lines.contains { $0.hasPrefix("gamification_levelups_total{") })
    #expect(lines.contains { $0.hasPrefix("http_server_request_duration") })
    #expect(!metrics.text.contains("secret-user-7"))
    try await server.stop()
  }
}
