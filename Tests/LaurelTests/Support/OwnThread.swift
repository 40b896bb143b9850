import Foundation

/// Runs `work`, which holds its thread for long (waits for a child process,
/// replays a history), on a thread of its own, and waits for it without
/// holding a thread that tasks share.
///
/// Swift concurrency runs every suite's tasks on as many threads as the
/// machine has cores (two in CI). A test that blocks or computes for seconds
/// on one of them holds it all that time; with both held, every other test's
/// tasks stop, and their deadlines pass while nothing runs (a PostgreSQL
/// store's open timeout fired so in CI, with its server idle).
func onOwnThread<R: Sendable>(_ work: @escaping @Sendable () throws -> R) async throws -> R {
  try await withCheckedThrowingContinuation { continuation in
    Thread { continuation.resume(with: Result(catching: work)) }.start()
  }
}

/// ``onOwnThread(_:)`` for a result that is not `Sendable` (a `Simulation`):
/// built on that thread and handed over whole, never shared.
func onOwnThread<R>(handingOver work: @escaping @Sendable () throws -> R) async throws -> R {
  try await onOwnThread { Handover(value: try work()) }.value
}

private struct Handover<R>: @unchecked Sendable {
  var value: R
}
