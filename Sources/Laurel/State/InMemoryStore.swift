import Synchronization

/// State in process memory, guarded by a mutex: the default for tests, for
/// embedding where persistence is not needed, and the model other stores
/// must behave like.
public final class InMemoryStore: Store {
  public typealias Transaction = JournaledState
  private let state = Mutex(InMemoryState())

  public init() {}

  /// Runs `body` on the state under the lock, in place; if `body` throws,
  /// the journal of what it changed (members' earlier states, new members,
  /// ids and once-per keys) is undone, so nothing of it is kept. Copying the
  /// whole state instead would make every call O(members).
  public func transaction<R: Sendable>(
    reading footprint: BatchFootprint, _ body: @escaping @Sendable (inout JournaledState) throws -> R
  ) async throws -> R {
    try state.withLock { current in
      var tx = JournaledState()
      tx.begin(&current)
      do {
        let result = try body(&tx)
        tx.end(into: &current, undo: false)
        return result
      } catch {
        tx.end(into: &current, undo: true)
        throw error
      }
    }
  }

  public func members() async throws -> [(MemberID, MemberState)] {
    state.withLock { $0.sortedMembers() }
  }
}
