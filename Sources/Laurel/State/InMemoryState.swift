/// All member state in memory: the backing of ``InMemoryStore`` and of
/// simulations. Members live in a flat array; handles are array indices.
public struct InMemoryState: StateTransaction, Sendable {
  public typealias Failure = Never

  struct OnceKey: Hashable, Sendable {
    var member: Int32
    var rule: Int32
    var key: String
  }

  var handles: [MemberID: Int] = [:]
  public private(set) var ids: [MemberID] = []
  public private(set) var members: [MemberState] = []
  var processed: Set<String> = []
  var once: Set<OnceKey> = []

  public init() {}

  public var memberCount: Int { ids.count }

  public func isProcessed(_ actionID: String) -> Bool { processed.contains(actionID) }

  public mutating func markProcessed(_ actionID: String) { processed.insert(actionID) }

  public func existingMember(_ id: MemberID) -> Int? { handles[id] }

  public mutating func member(_ id: MemberID, initial: () -> MemberState) -> Int {
    if let h = handles[id] { return h }
    let h = members.count
    handles[id] = h
    ids.append(id)
    members.append(initial())
    return h
  }

  @inline(__always)
  public mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R {
    body(&members[handle])
  }

  public mutating func claimOnce(_ handle: Int, rule: Int, key: String) -> Bool {
    once.insert(OnceKey(member: Int32(handle), rule: Int32(rule), key: key)).inserted
  }

  /// A member's state by id.
  public func state(of id: MemberID) -> MemberState? { handles[id].map { members[$0] } }

  /// Members sorted by scope then user, with their state.
  public func sortedMembers() -> [(MemberID, MemberState)] {
    ids.indices.sorted { ids[$0] < ids[$1] }.map { (ids[$0], members[$0]) }
  }
}
