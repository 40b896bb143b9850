/// ``InMemoryStore``'s transaction: the in-memory state with a journal of what
/// the transaction changed, so that a body that throws leaves the store as
/// it was, as ``Store/transaction(_:)`` promises. (Simulations use
/// `InMemoryState` directly and keep no journal.)
public struct JournaledState: StateTransaction {
  public typealias Failure = Never

  var state = InMemoryState()
  private var memberCount = 0
  private var onceCount = 0
  private var claimed: [String] = []
  private var released: [String] = []
  /// States of existing members before their first change, by handle.
  private var before: [Int: MemberState] = [:]

  init() {}

  /// Starts a transaction on `state` (taken by swapping, not copied).
  mutating func begin(_ state: inout InMemoryState) {
    swap(&self.state, &state)
    memberCount = self.state.memberCount
    onceCount = self.state.onceKeys.count
    claimed.removeAll()
    released.removeAll()
    before.removeAll()
  }

  /// Ends the transaction, handing the state back; `undo` puts back what it changed.
  mutating func end(into state: inout InMemoryState, undo: Bool) {
    if undo {
      for (handle, old) in before { self.state.restore(old, of: handle) }
      self.state.removeMembers(after: memberCount)
      self.state.removeOnceKeys(after: onceCount)
      for id in claimed { self.state.releaseAction(id) }
      for id in released { _ = self.state.processed.insert(id) }
    }
    swap(&self.state, &state)
  }

  public mutating func claimAction(_ action: PreparedAction) -> Bool {
    guard state.claimAction(action) else { return false }
    claimed.append(action.id)
    return true
  }

  public mutating func releaseAction(_ actionID: String) {
    state.releaseAction(actionID)
    if let i = claimed.lastIndex(of: actionID) { claimed.remove(at: i) } else { released.append(actionID) }
  }

  public mutating func existingMember(_ key: MemberKey) -> Int? { state.existingMember(key) }

  public mutating func member(_ key: MemberKey, initial: () -> MemberState) -> Int {
    state.member(key, initial: initial)
  }

  public mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R {
    if handle < memberCount && before[handle] == nil { before[handle] = state.members[handle] }
    return state.withMember(handle, body)
  }

  public mutating func claimOnce(_ handle: Int, rule: Int, key: String) -> Bool {
    state.claimOnce(handle, rule: rule, key: key)
  }

  @_spi(StoreAdapter) public mutating func claimOnce(_ handle: Int, rule: Int, key: String, keyHash: UInt64) -> Bool {
    state.claimOnce(handle, rule: rule, key: key, keyHash: keyHash)
  }

  public mutating func record(_ outcome: Outcome) {}
}
