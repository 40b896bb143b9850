import Foundation

/// ``InMemoryStore``'s transaction: the in-memory state with a journal of what
/// the transaction changed, so that a body that throws leaves the store as
/// it was, as ``Store/transaction(_:)`` promises. (Simulations use
/// `InMemoryState` directly and keep no journal.)
public struct JournaledState: AdminTransaction {
  public typealias Failure = Never

  var state = InMemoryState()
  var records = AdminRecords()
  private var memberCount = 0
  private var onceCount = 0
  private var claimed: [String] = []
  private var released: [String] = []
  /// States of existing members before their first change, by handle.
  private var before: [Int: MemberState] = [:]
  private var journal = AdminJournal()

  init() {}

  /// Starts a transaction on `state` and `records` (taken by swapping, not copied).
  mutating func begin(_ state: inout InMemoryState, _ records: inout AdminRecords) {
    swap(&self.state, &state)
    swap(&self.records, &records)
    memberCount = self.state.memberCount
    onceCount = self.state.onceKeys.count
    claimed.removeAll()
    released.removeAll()
    before.removeAll()
    journal = AdminJournal(self.records)
  }

  /// Ends the transaction, handing the state back; `undo` puts back what it changed.
  mutating func end(into state: inout InMemoryState, _ records: inout AdminRecords, undo: Bool) {
    if undo {
      for (handle, old) in before { self.state.restore(old, of: handle) }
      self.state.removeMembers(after: memberCount)
      self.state.removeOnceKeys(after: onceCount)
      for id in claimed { self.state.releaseAction(id) }
      for id in released { _ = self.state.processed.insert(id) }
      journal.undo(&self.records, &self.state)
    }
    swap(&self.state, &state)
    swap(&self.records, &records)
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

  /// Keeps the outcome's ledger rows and badges, as a durable store would.
  public mutating func record(_ outcome: Outcome) {
    records.ledger.append(contentsOf: outcome.ledger)
    records.badges.append(contentsOf: outcome.badges)
  }

  public mutating func tierOverrides(scope: String?) -> TierOverrides? { state.tierOverrides(scope: scope) }

  public mutating func setting(_ key: SettingKey) -> String? { records.settings[key] }

  public mutating func setSetting(_ key: SettingKey, to value: String?) {
    if journal.settings.index(forKey: key) == nil { journal.settings[key] = .some(records.settings[key]) }
    records.settings[key] = value
    if key.kind == .tiers { state.overrides = AdminRecords.overrides(records.settings) }
  }

  public mutating func loadMembers(inScope scope: String?) -> [(member: MemberID, handle: Int)] {
    state.ids.indices.filter { state.ids[$0].scope == scope }.map { (state.ids[$0], $0) }
      .sorted { $0.member < $1.member }
  }

  public mutating func appendAudit(_ entry: AuditEntry) { records.audit.append(entry) }

  public mutating func enqueue(_ events: [OutboxEvent]) {
    for var event in events {
      event.sequence = Int64(records.outbox.count + 1)
      records.outbox.append(event)
    }
  }

  public mutating func removeBadge(_ handle: Int, badge: String, key: String?) {
    let member = state.ids[handle]
    guard let index = records.badges.firstIndex(where: { $0.member == member && $0.badge == badge && $0.key == key })
    else { return }
    journal.removedBadges.append((index, records.badges.remove(at: index)))
  }
}
