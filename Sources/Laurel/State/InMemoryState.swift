/// All member state in memory: the backing of ``InMemoryStore`` and of
/// simulations. Members live in a flat array; handles are array indices.
public struct InMemoryState: StateTransaction, Sendable {
  public typealias Failure = Never

  struct OnceKey: Hashable, Sendable {
    var member: Int32
    var rule: Int32
    var key: String
    var hash: UInt64

    init(member: Int32, rule: Int32, key: String) {
      self.member = member
      self.rule = rule
      self.key = key
      hash = fnv1a(key, seed: UInt64(UInt32(bitPattern: member)) << 32 | UInt64(UInt32(bitPattern: rule)))
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    static func == (a: OnceKey, b: OnceKey) -> Bool {
      a.hash == b.hash && a.member == b.member && a.rule == b.rule && a.key.utf8.elementsEqual(b.key.utf8)
    }
  }

  /// A member id with its hash computed once (FNV-1a), so lookups skip SipHash over two strings.
  struct MemberKey: Hashable, Sendable {
    var id: MemberID
    var hash: UInt64

    init(_ id: MemberID) {
      self.id = id
      hash = fnv1a(id.user, seed: id.scope.map { fnv1a($0) ^ 0xff } ?? 0x9E37_79B9)
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    static func == (a: MemberKey, b: MemberKey) -> Bool {
      a.hash == b.hash && a.id.user.utf8.elementsEqual(b.id.user.utf8)
        && (a.id.scope?.utf8).map { s in b.id.scope.map { s.elementsEqual($0.utf8) } ?? false } ?? (b.id.scope == nil)
    }
  }

  var handles: [MemberKey: Int] = [:]
  public private(set) var ids: [MemberID] = []
  public private(set) var members: [MemberState] = []
  var processed = ActionIDSet()
  var once: Set<OnceKey> = []

  public init() {}

  public var memberCount: Int { ids.count }

  public mutating func claimAction(_ actionID: String) -> Bool { processed.insert(actionID) }

  public mutating func releaseAction(_ actionID: String) { processed.remove(actionID) }

  /// Reserves room for about `actions` action ids and `members` members (avoids rehashing during a replay).
  public mutating func reserve(actions: Int, members: Int = 0) {
    processed.reserveCapacity(actions)
    handles.reserveCapacity(members)
  }

  public func existingMember(_ id: MemberID) -> Int? { handles[MemberKey(id)] }

  public mutating func member(_ id: MemberID, initial: () -> MemberState) -> Int {
    let key = MemberKey(id)
    if let h = handles[key] { return h }
    let h = members.count
    handles[key] = h
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
  public func state(of id: MemberID) -> MemberState? { handles[MemberKey(id)].map { members[$0] } }

  /// Members sorted by scope then user, with their state.
  public func sortedMembers() -> [(MemberID, MemberState)] {
    ids.indices.sorted { ids[$0] < ids[$1] }.map { (ids[$0], members[$0]) }
  }
}
