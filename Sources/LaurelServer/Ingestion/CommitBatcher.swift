package import Laurel
import Synchronization
import Tracing

/// Group commit for single-action requests: while one transaction commits,
/// the actions that arrive queue up, and the next transaction applies them
/// all — one commit (one disk flush) for many concurrent requests, each
/// answered with its own outcome only after the commit. A failing
/// transaction fails every request of its batch and keeps nothing.
package final class CommitBatcher<S: AdminStore>: Sendable {
  private typealias Waiter = (action: PreparedAction, continuation: CheckedContinuation<Outcome, any Error>)
  private struct Queue {
    var waiting: [Waiter] = []
    var draining = false
  }

  private let engine: Engine<S>
  private let queue = Mutex(Queue())
  private let committed: @Sendable ([Outcome]) -> Void
  /// The most actions one transaction takes.
  let batchLimit: Int

  /// `committed` runs after each commit (events, logs, metrics).
  package init(engine: Engine<S>, batchLimit: Int = 1024, committed: @escaping @Sendable ([Outcome]) -> Void) {
    self.engine = engine
    self.batchLimit = batchLimit
    self.committed = committed
  }

  /// Applies `action` durably, in the next group commit.
  package func apply(_ action: PreparedAction) async throws -> Outcome {
    try await withCheckedThrowingContinuation { continuation in
      let leads = queue.withLock { queue in
        queue.waiting.append((action, continuation))
        guard !queue.draining else { return false }
        queue.draining = true
        return true
      }
      if leads { Task { await drain() } }
    }
  }

  /// Applies many actions now, in transactions of at most ``batchLimit``.
  func applyAll(_ actions: [PreparedAction]) async throws -> [Outcome] {
    var outcomes: [Outcome] = []
    outcomes.reserveCapacity(actions.count)
    var start = 0
    while start < actions.count {
      let chunk = Array(actions[start..<min(actions.count, start + batchLimit)])
      let applied = try await commit(chunk)
      outcomes += applied
      start += chunk.count
    }
    return outcomes
  }

  private func drain() async {
    while true {
      let batch: [Waiter] = queue.withLock { queue in
        let taken = Array(queue.waiting.prefix(batchLimit))
        queue.waiting.removeFirst(taken.count)
        if taken.isEmpty { queue.draining = false }
        return taken
      }
      guard !batch.isEmpty else { return }
      do {
        let outcomes = try await commit(batch.map(\.action))
        for (waiter, outcome) in zip(batch, outcomes) { waiter.continuation.resume(returning: outcome) }
      } catch {
        for waiter in batch { waiter.continuation.resume(throwing: error) }
      }
    }
  }

  private func commit(_ actions: [PreparedAction]) async throws -> [Outcome] {
    let outcomes = try await withSpan("gamification.award_points") { span in
      span.attributes["laurel.actions"] = actions.count
      return try await engine.applyPublishing(actions)
    }
    committed(outcomes)
    return outcomes
  }
}
