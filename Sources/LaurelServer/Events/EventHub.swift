import Synchronization

/// Wakes outbox readers (webhook delivery, event streams) when new events
/// were committed, and ends them when the server stops. Readers still poll
/// the store: an event committed by another process sharing the store is
/// found on the next tick.
final class EventHub: Sendable {
  private struct State {
    var next = 0
    var subscribers: [Int: AsyncStream<Void>.Continuation] = [:]
    var closed = false
  }
  private let state = Mutex(State())

  /// A stream that yields after each announcement (coalesced), and every
  /// `tick` besides (a poll for other processes' commits, a heartbeat), and
  /// finishes when the hub closes.
  func subscribe(tick: Duration? = nil) -> AsyncStream<Void> {
    let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    let id: Int? = state.withLock { state in
      guard !state.closed else { return nil }
      state.next += 1
      state.subscribers[state.next] = continuation
      return state.next
    }
    guard let id else {
      continuation.finish()
      return stream
    }
    let ticker = tick.map { tick in
      Task {
        while !Task.isCancelled {
          try? await Task.sleep(for: tick)
          continuation.yield()
        }
      }
    }
    continuation.onTermination = { [weak self] _ in
      ticker?.cancel()
      _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
    }
    return stream
  }

  /// New events were committed.
  func announce() {
    for continuation in state.withLock({ Array($0.subscribers.values) }) { continuation.yield() }
  }

  /// The server is stopping: every subscription ends.
  func close() {
    let continuations = state.withLock { state in
      state.closed = true
      defer { state.subscribers = [:] }
      return Array(state.subscribers.values)
    }
    for continuation in continuations { continuation.finish() }
  }
}
