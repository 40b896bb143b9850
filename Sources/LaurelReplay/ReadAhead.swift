import Foundation

/// Produces values on a thread of its own, up to `depth` ahead of the
/// consumer: how a replay decodes the next batches while the engine applies
/// this one, and how `diff` runs two replays at once. The one threading
/// primitive of Laurel's replays (a `Thread` and a condition).
///
/// The producer runs until it returns nil or throws; its error is thrown by
/// ``next()`` after the values produced before it. Dropping the read-ahead
/// before the end stops the producer at its next value.
public final class ReadAhead<Element: Sendable>: Sendable {
  private let channel: Channel

  /// Starts `produce` on a new thread (4 MiB of stack, for deep rule evaluation).
  public init(depth: Int = 2, _ produce: sending @escaping () throws -> Element?) {
    let channel = Channel(depth: max(1, depth))
    self.channel = channel
    nonisolated(unsafe) let produce = produce
    let thread = Thread {
      while true {
        let value: Element?
        do { value = try produce() } catch {
          channel.finish(failure: error)
          return
        }
        if !channel.push(value) { return }
      }
    }
    thread.stackSize = 1 << 22
    thread.start()
  }

  deinit { channel.cancel() }

  /// The next value, waiting for it; nil once the producer finished.
  public func next() throws -> Element? { try channel.pop() }

  /// Runs `work` on a thread of its own; ``next()`` waits for its result
  /// (once; then nil). To run two jobs at once, start one this way and do the other.
  public static func background(_ work: sending @escaping () throws -> Element) -> ReadAhead<Element> {
    nonisolated(unsafe) var work: (() throws -> Element)? = work
    return ReadAhead(depth: 1) {
      defer { work = nil }
      return try work?()
    }
  }

  /// The values handed from the producer's thread to the consumer.
  private final class Channel: @unchecked Sendable {
    // Invariant: every stored property but `depth` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var ready: [Element] = []
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private let depth: Int

    init(depth: Int) { self.depth = depth }

    /// Hands over a value (nil: the end); false when the producer should stop.
    func push(_ value: Element?) -> Bool {
      condition.withLock {
        while ready.count >= depth && !cancelled { condition.wait() }
        if let value, !cancelled { ready.append(value) } else { finished = true }
        condition.broadcast()
        return !finished
      }
    }

    func finish(failure: any Error) {
      condition.withLock {
        self.failure = failure
        finished = true
        condition.broadcast()
      }
    }

    func cancel() {
      condition.withLock {
        cancelled = true
        condition.broadcast()
      }
    }

    func pop() throws -> Element? {
      try condition.withLock {
        while ready.isEmpty && !finished { condition.wait() }
        if !ready.isEmpty {
          condition.broadcast()
          return ready.removeFirst()
        }
        if let failure { throw failure }
        return nil
      }
    }
  }
}
