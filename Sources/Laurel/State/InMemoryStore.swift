import Synchronization

/// State in process memory, guarded by a mutex: the default for tests, for
/// embedding where persistence is not needed, and the model other stores
/// must behave like.
public final class InMemoryStore: Store {
  public typealias Transaction = InMemoryState
  private let state = Mutex(InMemoryState())

  public init() {}

  public func transaction<R>(_ body: (inout InMemoryState) throws -> R) async throws -> R {
    try state.withLock { current in
      // Work on a copy so a throwing body leaves the state untouched.
      var draft = current
      let result = try body(&draft)
      current = draft
      return result
    }
  }

  public func members() async throws -> [(MemberID, MemberState)] {
    state.withLock { $0.sortedMembers() }
  }
}
