import Laurel
import LaurelTesting
import Synchronization
import Testing

/// Every store passes the same conformance suite; this is the in-memory one.
@Suite struct StoreConformanceTests {
  @Test func inMemoryStorePassesTheConformanceSuite() async throws {
    let failures = await StoreConformance.run { InMemoryStore() }
    #expect(failures.isEmpty, "\(failures)")
  }

  @Test func theSuiteCatchesAStoreThatForgetsActionIDs() async throws {
    let failures = await StoreConformance.run { ForgetfulStore() }
    #expect(failures.map(\.check) == ["a duplicate action id changes nothing"])
  }
}

/// A broken store for the test above: it never remembers which actions it applied.
final class ForgetfulStore: Store {
  struct Transaction: StateTransaction {
    var state: InMemoryState
    mutating func claimAction(_ actionID: String) -> Bool { true }
    mutating func releaseAction(_ actionID: String) {}
    func existingMember(_ id: MemberID) -> Int? { state.existingMember(id) }
    mutating func member(_ id: MemberID, initial: () -> MemberState) -> Int { state.member(id, initial: initial) }
    mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R { state.withMember(handle, body) }
    mutating func claimOnce(_ handle: Int, rule: Int, key: String) -> Bool { state.claimOnce(handle, rule: rule, key: key) }
  }

  private let state = Mutex(Transaction(state: InMemoryState()))

  func transaction<R>(_ body: (inout Transaction) throws -> R) async throws -> R {
    try state.withLock { try body(&$0) }
  }

  func members() async throws -> [(MemberID, MemberState)] { state.withLock { $0.state.sortedMembers() } }
}
