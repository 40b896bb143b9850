import Synchronization

/// State in process memory, guarded by a mutex: the default for tests, for
/// embedding where persistence is not needed, and the model other stores
/// must behave like.
public final class InMemoryStore: Store {
  public typealias Transaction = InMemoryState
  private let state = Mutex(InMemoryState())

  public init() {}

  /// Runs `body` on the state under the lock, in place.
  ///
  /// Atomicity comes from the engine, not from a copy: its evaluator plans
  /// every effect before changing anything and rejects an action untouched,
  /// and in-memory state cannot fail half-way (`Failure` is `Never`). Copying
  /// the whole state per action would make every call O(members).
  public func transaction<R>(_ body: (inout InMemoryState) throws -> R) async throws -> R {
    try state.withLock { current in try body(&current) }
  }

  public func members() async throws -> [(MemberID, MemberState)] {
    state.withLock { $0.sortedMembers() }
  }
}
