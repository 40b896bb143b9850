import AsyncHTTPClient
import Crypto
import Foundation
import Laurel
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// Delivers the outbox to one webhook receiver, in order, at least once.
///
/// Each event is POSTed as its JSON (``OutboxEvent/json``) with
/// `Laurel-Event-Id` (the sequence: the same on every retry, for
/// de-duplication), `Laurel-Event-Type`, `Laurel-Timestamp` (Unix seconds)
/// and `Laurel-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`. A
/// 2xx answer moves the receiver's cursor, kept in the store
/// (`SettingKey.Kind.cursor`), so a restarted server goes on where it
/// stopped; anything else is retried with exponential backoff (0.5 s doubling
/// to 30 s). On shutdown, delivery goes on for the drain time, then stops;
/// what is left is delivered after the next start.
struct WebhookDelivery<S: AdminStore>: Service {
  let store: S
  let webhook: ServerConfiguration.Webhook
  let hub: EventHub
  let drainTimeout: Duration
  let logger: Logger
  var cursorKey: SettingKey { SettingKey(.cursor, scope: nil, name: "webhook \(webhook.url)") }

  func run() async throws {
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    let stopping = StopFlag()
    let wakes = hub.subscribe(tick: .seconds(1))
    do {
      try await withGracefulShutdownHandler {
        try await deliver(client: client, wakes: wakes, stopping: stopping)
      } onGracefulShutdown: {
        stopping.stop(after: drainTimeout)
      }
    } catch {
      try? await client.shutdown()
      throw error
    }
    try await client.shutdown()
  }

  private func deliver(client: HTTPClient, wakes: AsyncStream<Void>, stopping: StopFlag) async throws {
    var cursor = Int64(try await store.settings(.cursor, scope: nil, prefix: cursorKey.name).first?.value ?? "0") ?? 0
    var iterator = wakes.makeAsyncIterator()
    while !stopping.isPastDeadline {
      let events = try await store.outbox(after: cursor, limit: 100)
      if events.isEmpty {
        if stopping.isStopping { return }
        // Woken by a commit here, or each second for other processes' commits;
        // a closed hub (the server stopping) lets the drain run on by polling.
        if await iterator.next() == nil { try? await Task.sleep(for: .milliseconds(200)) }
        continue
      }
      for event in events {
        guard try await send(event, client: client, stopping: stopping) else { return }
        cursor = event.sequence
        let key = cursorKey
        let value = String(cursor)
        try await store.transaction { tx in try tx.setSetting(key, to: value) }
      }
    }
  }

  /// Sends one event until a 2xx; false when the drain time ran out first.
  private func send(_ event: OutboxEvent, client: HTTPClient, stopping: StopFlag) async throws -> Bool {
    let body = event.json
    var delay = Duration.milliseconds(500)
    var attempt = 0
    while true {
      attempt += 1
      let timestamp = String(Int64(Date().timeIntervalSince1970))
      var request = HTTPClientRequest(url: webhook.url)
      request.method = .POST
      request.headers.add(name: "Content-Type", value: "application/json")
      request.headers.add(name: "Laurel-Event-Id", value: String(event.sequence))
      request.headers.add(name: "Laurel-Event-Type", value: event.type)
      request.headers.add(name: "Laurel-Timestamp", value: timestamp)
      request.headers.add(
        name: "Laurel-Signature", value: "v1=" + Self.signature(body, timestamp: timestamp, secret: webhook.secret))
      request.body = .bytes(ByteBuffer(string: body))
      do {
        let response = try await client.execute(request, timeout: .seconds(10))
        _ = try? await response.body.collect(upTo: 64 * 1024)
        if (200..<300).contains(response.status.code) { return true }
        logger.warning(
          "webhook answered \(response.status.code); retrying",
          metadata: ["event_id": "\(event.sequence)", "attempt": "\(attempt)"])
      } catch {
        logger.warning(
          "webhook delivery failed; retrying",
          metadata: ["event_id": "\(event.sequence)", "attempt": "\(attempt)", "error": "\(error)"])
      }
      if stopping.isPastDeadline { return false }
      try? await Task.sleep(for: delay)
      delay = min(delay * 2, .seconds(30))
    }
  }

  /// The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
  static func signature(_ body: String, timestamp: String, secret: [UInt8]) -> String {
    let code = HMAC<SHA256>.authenticationCode(
      for: Array("\(timestamp).\(body)".utf8), using: SymmetricKey(data: secret))
    return code.map { String(format: "%02x", $0) }.joined()
  }
}

/// Whether delivery was asked to stop, and the time it may go on until.
final class StopFlag: Sendable {
  private let deadline = Mutex<ContinuousClock.Instant?>(nil)

  func stop(after drain: Duration) {
    deadline.withLock { if $0 == nil { $0 = .now + drain } }
  }

  var isStopping: Bool { deadline.withLock { $0 != nil } }
  var isPastDeadline: Bool { deadline.withLock { $0.map { .now >= $0 } ?? false } }
}
