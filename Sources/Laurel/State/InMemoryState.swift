import CLaurelPrefetch

/// All member state in memory: the backing of ``InMemoryStore`` and of
/// simulations. Members live in a flat array; handles are array indices.
package struct InMemoryState: StateTransaction, Sendable {
  package typealias Failure = Never

  /// A claimed once-per key: member handle, rule and key value.
  struct OnceKey: Sendable {
    var member: Int32
    var rule: Int32
    var key: String

    var hash: UInt64 { Self.hash(keyHash: fnv1a(key), member: member, rule: rule) }

    /// From the key's ``fnv1a(_:seed:)``, which decoding took: a replay
    /// prefetches the slot of a once-per key before the key is claimed.
    @inline(__always)
    static func hash(keyHash: UInt64, member: Int32, rule: Int32) -> UInt64 {
      keyHash ^ ((UInt64(UInt32(bitPattern: member)) << 32 | UInt64(UInt32(bitPattern: rule))) &* 0x9E37_79B9_7F4A_7C15)
    }
  }

  @inline(__always)
  static func same(_ a: MemberID, _ b: MemberID) -> Bool {
    guard sameUTF8(a.user, b.user) else { return false }
    switch (a.scope, b.scope) {
    case (nil, nil): return true
    case (let x?, let y?): return sameUTF8(x, y)
    default: return false
    }
  }

  /// Member id hash -> handle.
  var handles = HashIndex()
  /// Once-per key hash -> index into `onceKeys`.
  var onceIndex = HashIndex()
  var onceKeys: [OnceKey] = []
  package private(set) var ids: [MemberID] = []
  package private(set) var members: [MemberState] = []
  var processed = ActionIDSet()
  /// Tier overrides by scope (an ``AdminStore``'s, or seeded into a replay).
  package var overrides: [String?: TierOverrides] = [:]

  package init() {}

  package func tierOverrides(scope: String?) -> TierOverrides? {
    overrides.isEmpty ? nil : overrides[scope]
  }

  package var memberCount: Int { ids.count }

  package mutating func claimAction(_ action: PreparedAction) -> Bool {
    processed.insert(action.id, hash: action.idHash)
  }

  package mutating func claimAction(at action: UnsafePointer<PreparedAction>) -> Bool {
    processed.insert(action.pointee.id, hash: action.pointee.idHash)
  }

  package mutating func releaseAction(_ actionID: String) { processed.remove(actionID) }

  /// Reserves room for about `actions` action ids and `members` members (avoids rehashing during a replay).
  package mutating func reserve(actions: Int, members: Int = 0) {
    processed.reserveCapacity(actions)
    handles.reserveCapacity(members)
  }

  /// The handle of a member by id (hashes the id; the engine passes keys).
  package func existingMember(_ id: MemberID) -> Int? { existingMember(MemberKey(id)) }

  package func existingMember(_ key: MemberKey) -> Int? {
    handles.find(key.hash) { Self.same(ids[Int($0)], key.id) }.map(Int.init)
  }

  /// Prefetches the index slots where members with these key hashes are
  /// looked up. A replay does this two blocks ahead, then ``touchMembers(_:)``
  /// one block ahead.
  func touchIndexSlots(_ guesses: ((RecipientPrefetch.Guess) -> Void) -> Void) {
    handles.withProbe { probe in guesses { probe.touch($0.member) } }
  }

  /// Prefetches the ids and states of these members, and the slots of their
  /// once-per keys (guessed from the index, whose slots should be in cache by now).
  func touchMembers(_ guesses: ((RecipientPrefetch.Guess) -> Void) -> Void) {
    let hot = Self.hotBytes
    handles.withProbe { handles in
      onceIndex.withProbe { onceIndex in
        ids.withUnsafeBufferPointer { ids in
          members.withUnsafeBufferPointer { members in
            guesses { guess in
              guard let h = handles.peek(guess.member), Int(h) < members.count else { return }
              laurel_prefetch(ids.baseAddress! + Int(h))
              let state = UnsafeRawPointer(members.baseAddress! + Int(h))
              // Every line of the hot bytes: a point each 64 bytes, and the last byte.
              var offset = 0
              while offset < hot {
                laurel_prefetch(state + offset)
                offset += 64
              }
              laurel_prefetch(state + (hot - 1))
              if let key = guess.onceKey { onceIndex.touch(OnceKey.hash(keyHash: key, member: h, rule: guess.rule)) }
            }
          }
        }
      }
    }
  }

  /// The bytes at the start of a ``MemberState`` that most actions read
  /// (balances, ranks, counters, badges, cap usage), which ``touchMembers(_:)`` prefetches.
  /// A state is not aligned to cache lines: prefetching only its first two
  /// lines left the counters and cap usage to a miss on many members.
  static let hotBytes = MemoryLayout<MemberState>.offset(of: \MemberState.capUsage)! + MemoryLayout<CapUsages>.size

  package mutating func member(_ key: MemberKey, initial: () -> MemberState) -> Int {
    if let h = handles.find(key.hash, { Self.same(ids[Int($0)], key.id) }) { return Int(h) }
    let h = members.count
    handles.insert(key.hash, Int32(h))
    ids.append(key.id)
    members.append(initial())
    return h
  }

  @inline(__always)
  package mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R {
    body(&members[handle])
  }

  package mutating func claimOnce(_ handle: Int, rule: Int, key: String) -> Bool {
    claimOnce(handle, rule: rule, key: key, keyHash: fnv1a(key))
  }

  package mutating func claimOnce(_ handle: Int, rule: Int, key: String, keyHash: UInt64) -> Bool {
    let entry = OnceKey(member: Int32(handle), rule: Int32(rule), key: key)
    let hash = OnceKey.hash(keyHash: keyHash, member: entry.member, rule: entry.rule)
    let found = onceIndex.find(hash) { i in
      let other = onceKeys[Int(i)]
      return other.member == entry.member && other.rule == entry.rule && sameUTF8(other.key, key)
    }
    guard found == nil else { return false }
    onceIndex.insert(hash, Int32(onceKeys.count))
    onceKeys.append(entry)
    return true
  }

  /// A member's state by id.
  package func state(of id: MemberID) -> MemberState? { existingMember(id).map { members[$0] } }

  /// Forgets the members added after the first `count` (undoing a transaction).
  mutating func removeMembers(after count: Int) {
    for h in stride(from: members.count - 1, through: count, by: -1) {
      handles.remove(MemberKey(ids[h]).hash, Int32(h))
    }
    ids.removeSubrange(count...)
    members.removeSubrange(count...)
  }

  /// Forgets the once-per keys claimed after the first `count` (undoing a transaction).
  mutating func removeOnceKeys(after count: Int) {
    for i in stride(from: onceKeys.count - 1, through: count, by: -1) {
      onceIndex.remove(onceKeys[i].hash, Int32(i))
    }
    onceKeys.removeSubrange(count...)
  }

  /// Puts back a member's state as it was (undoing a transaction).
  mutating func restore(_ state: MemberState, of handle: Int) { members[handle] = state }

  /// Members sorted by scope then user, with their state (objects' states are not members).
  package func sortedMembers() -> [(MemberID, MemberState)] {
    ids.indices.filter { !ids[$0].isObject }.sorted { ids[$0] < ids[$1] }.map { (ids[$0], members[$0]) }
  }
}
