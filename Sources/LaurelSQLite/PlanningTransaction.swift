import GRDB
@_spi(StoreAdapter) import Laurel

/// The engine's view of a batch planned while the batch before it is still
/// being written (see ``SQLiteImporter``). Members come from the store's
/// ``MemberCache`` (which already holds the states the batch before
/// produced) or, when the cache does not know them, from a read-only
/// connection; once-per keys likewise. Nothing is written here: the result is
/// a ``BatchPlan`` for the writer.
struct PlanningTransaction: StateTransaction {
  typealias Failure = any Error

  /// A read-only connection in autocommit mode: every lookup is a short read.
  private let reader: Database
  private let cache: MemberCache
  private let overrides: OverrideCache
  /// The batch being written meanwhile: its ids and once-per keys are taken.
  private let before: BatchPlan?
  private var plan = BatchPlan()
  private var handles: [MemberKey: Int] = [:]
  private var states: [MemberState] = []
  private var dirty: [Bool] = []
  /// The layout stored states must have (nil: not recorded).
  private let layout: StateLayout?

  init(
    reader: Database, cache: MemberCache, overrides: OverrideCache, before: BatchPlan?, rulesVersion: Int64?,
    layout: StateLayout?
  ) {
    self.layout = layout
    self.reader = reader
    self.cache = cache
    self.overrides = overrides
    plan.overridesGeneration = overrides.generation
    self.before = before
    plan.rulesVersion = rulesVersion
  }

  mutating func claimAction(_ action: PreparedAction) throws -> Bool {
    guard before?.claimed.contains(action.id, hash: action.idHash) != true,
      plan.claimed.insert(action.id, hash: action.idHash)
    else { return false }
    plan.actions.append(action)
    return true
  }

  /// Rejected actions are rare: the released one is found from the end.
  /// The overrides the plan is made under; the writer refuses the plan if
  /// they changed before it writes (``BatchPlan/overridesGeneration``).
  mutating func tierOverrides(scope: String?) throws -> TierOverrides? {
    try overrides.overrides(scope) { [reader] in try StoreRows.tierOverrides(in: reader) }
  }

  mutating func releaseAction(_ actionID: String) throws {
    guard plan.claimed.contains(actionID),
      let index = plan.actions.lastIndex(where: { $0?.id == actionID })
    else { return }
    plan.claimed.remove(actionID)
    plan.actions[index] = nil
  }

  mutating func existingMember(_ key: MemberKey) throws -> Int? {
    if let handle = handles[key] { return handle }
    if let cached = cache.trustedEntry(key) {
      return add(key, row: cached.rowID, isNew: false, version: cached.version, state: cached.state, dirty: false)
    }
    let select = try DirectStatement(reader, "SELECT id, version, state FROM members WHERE scope_key = ? AND user = ?")
    select.bind(1, SQLiteSchema.scopeKey(key.id.scope))
    select.bind(2, key.id.user)
    let found = try select.first { row in
      (row.int64(0), row.int64(1), try SQLiteTransaction.decodeState(row.blob(2), member: key.id, layout: layout))
    }
    guard let (row, version, state) = found else { return nil }
    cache.store(key, rowID: row, version: version, state: state)
    return add(key, row: row, isNew: false, version: version, state: state, dirty: false)
  }

  mutating func member(_ key: MemberKey, initial: () -> MemberState) throws -> Int {
    if let handle = try existingMember(key) { return handle }
    return add(key, row: nil, isNew: true, version: 0, state: initial(), dirty: true)
  }

  private mutating func add(
    _ key: MemberKey, row: Int64?, isNew: Bool, version: Int64, state: MemberState, dirty isDirty: Bool
  ) -> Int {
    let handle = plan.members.count
    plan.members.append(BatchPlan.Member(key: key, row: row, isNew: isNew, version: version, state: nil))
    states.append(state)
    dirty.append(isDirty)
    handles[key] = handle
    return handle
  }

  mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R {
    dirty[handle] = true
    return body(&states[handle])
  }

  mutating func readMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R {
    body(&states[handle])
  }

  mutating func claimOnce(_ handle: Int, rule: Int, key: String) throws -> Bool {
    let once = BatchPlan.OnceKey(member: plan.members[handle].key, rule: rule, key: key)
    guard !plan.onceKeys.contains(once), before?.onceKeys.contains(once) != true else { return false }
    // A member without a row is new in this batch or the one before: its keys are all in the sets above.
    if let row = plan.members[handle].row {
      let select = try DirectStatement(reader, "SELECT 1 FROM once_keys WHERE member_id = ? AND rule = ? AND key = ?")
      select.bind(1, row)
      select.bind(2, Int64(rule))
      select.bind(3, key)
      if try select.first({ _ in true }) != nil { return false }
    }
    plan.onceKeys.insert(once)
    plan.onceRows.append((handle, rule, key))
    return true
  }

  mutating func record(_ outcome: Outcome) throws {
    plan.ledger.append(contentsOf: outcome.ledger.lazy.filter { $0.memberHandle >= 0 })
    for award in outcome.badges {
      guard let handle = handles[MemberKey(award.member)] else { continue }
      plan.badges.append((handle, award, outcome.actionID))
    }
  }

  /// The finished plan. Changed states go into the cache now, so the next
  /// batch can be planned on top of this one before it is written.
  mutating func finish(counts: EventCounts) -> BatchPlan {
    plan.counts = counts
    for handle in plan.members.indices where dirty[handle] {
      var bytes: [UInt8] = []
      states[handle].encode(into: &bytes)
      plan.members[handle].state = bytes
      let member = plan.members[handle]
      cache.store(member.key, rowID: member.row, version: member.isNew ? 0 : member.version + 1, state: states[handle])
    }
    return plan
  }
}
