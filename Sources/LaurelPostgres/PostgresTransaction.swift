@_spi(StoreAdapter) public import Laurel
import LaurelExpression

/// One batch as the engine sees it on PostgreSQL: it runs against what the
/// store read for the batch (``BatchReads``) and buffers every effect for
/// the one statement that writes them (see ``PostgresStore``).
///
/// Whatever the reads lack — a member the footprint did not forecast, a
/// setting, a scope — is noted, and the transaction carries on as if it were
/// absent; the store then reads everything noted in one more query and runs
/// the batch again. Nothing reaches the server before a run with nothing missing.
public struct PostgresTransaction: AdminTransaction {
  public typealias Failure = any Error

  let reads: BatchReads
  let rulesVersion: Int64?
  /// What this run needed and the reads lacked.
  var missing = ReadRequest()

  // The working set: members by handle; `versions[h]` nil for a member the database does not hold.
  var keys: [MemberKey] = []
  var states: [MemberState] = []
  var versions: [Int64?] = []
  var dirty: [Bool] = []
  private var handles: [MemberKey: Int] = [:]

  /// Actions claimed (and not released), in order.
  var actions: [(id: String, type: String, at: Int64, body: String)] = []
  private var claimedIDs: Set<String> = []
  var once: [(handle: Int, rule: Int, key: String)] = []
  private var onceClaimed: Set<BatchFootprint.OnceKey> = []
  var ledger: [LedgerEntry] = []
  var badges: [(handle: Int, award: BadgeAward, actionID: String)] = []
  var removedBadges: [(member: MemberID, badge: String, key: String)] = []
  /// Settings read from the database (what they must still be at the write).
  var settingsRead: [SettingKey: String?] = [:]
  /// Settings written, last value per key, in order of first write.
  var settingsWritten: [(key: SettingKey, value: String?)] = []
  /// Scopes whose tier settings the batch used, and what they were.
  var tiersRead: [String?: [(name: String, value: String)]] = [:]
  /// Scopes loaded whole, and how many members they had.
  var scopesLoaded: [String?: Int] = [:]
  var audit: [AuditEntry] = []
  var outbox: [OutboxEvent] = []
  var counts = EventCounts()
  private var overrides: [String?: TierOverrides?] = [:]

  init(reads: BatchReads, rulesVersion: Int64?) {
    self.reads = reads
    self.rulesVersion = rulesVersion
  }

  public mutating func claimAction(_ action: PreparedAction) throws -> Bool {
    guard !claimedIDs.contains(action.id) else { return false }
    if reads.askedActions.contains(action.id) {
      guard !reads.loggedActions.contains(action.id) else { return false }
    } else if !reads.complete {
      missing.actionIDs.append(action.id)
    }
    claimedIDs.insert(action.id)
    actions.append((action.id, action.type, action.at.seconds, action.source ?? ""))
    return true
  }

  public mutating func releaseAction(_ actionID: String) throws {
    guard claimedIDs.remove(actionID) != nil, let i = actions.lastIndex(where: { $0.id == actionID }) else { return }
    actions.remove(at: i)
  }

  public mutating func existingMember(_ key: MemberKey) throws -> Int? {
    if let h = handles[key] { return h }
    guard let read = reads.members[key] else {
      if !reads.complete { missing.members.append(key) }
      return nil
    }
    guard let (version, state) = read else { return nil }
    return add(key, version: version, state: state, dirty: false)
  }

  public mutating func member(_ key: MemberKey, initial: () -> MemberState) throws -> Int {
    if let h = try existingMember(key) { return h }
    return add(key, version: nil, state: initial(), dirty: true)
  }

  private mutating func add(_ key: MemberKey, version: Int64?, state: MemberState, dirty isDirty: Bool) -> Int {
    let h = keys.count
    keys.append(key)
    states.append(state)
    versions.append(version)
    dirty.append(isDirty)
    handles[key] = h
    return h
  }

  public mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R {
    dirty[handle] = true
    return body(&states[handle])
  }

  public mutating func readMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R { body(&states[handle]) }

  public mutating func claimOnce(_ handle: Int, rule: Int, key: String) throws -> Bool {
    let once = BatchFootprint.OnceKey(member: keys[handle].id, rule: rule, key: key)
    guard !onceClaimed.contains(once) else { return false }
    // A member the database does not hold has claimed nothing there.
    if versions[handle] != nil {
      if reads.askedOnce.contains(once) {
        guard !reads.claimedOnce.contains(once) else { return false }
      } else if !reads.complete {
        missing.once.append(once)
      }
    }
    onceClaimed.insert(once)
    self.once.append((handle, rule, key))
    return true
  }

  public mutating func record(_ outcome: Outcome) throws {
    ledger.append(contentsOf: outcome.ledger.lazy.filter { $0.memberHandle >= 0 })
    for award in outcome.badges {
      guard let handle = handles[MemberKey(award.member)] else { continue }
      badges.append((handle, award, outcome.actionID))
    }
  }

  public mutating func tierOverrides(scope: String?) throws -> TierOverrides? {
    if let known = overrides[scope] { return known }
    guard let stored = reads.tiers[scope] ?? (reads.complete ? [] : nil) else {
      missing.tierScopes.append(scope)
      return nil
    }
    if tiersRead[scope] == nil { tiersRead[scope] = stored }
    var rows = Dictionary(stored.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    for (key, value) in settingsWritten where key.kind == .tiers && key.scope == scope { rows[key.name] = value }
    let result = TierOverrides.byScope(rows.map { (scope, $0.key, $0.value) })[scope]
    overrides[scope] = .some(result)
    return result
  }

  public mutating func setting(_ key: SettingKey) throws -> String? {
    if let written = settingsWritten.last(where: { $0.key == key }) { return written.value }
    guard let value = reads.settings[key] else {
      missing.settings.append(key)
      return nil
    }
    if settingsRead[key] == nil { settingsRead[key] = .some(value) }
    return value
  }

  public mutating func setSetting(_ key: SettingKey, to value: String?) throws {
    if let i = settingsWritten.firstIndex(where: { $0.key == key }) {
      settingsWritten[i].value = value
    } else {
      settingsWritten.append((key, value))
    }
    if key.kind == .tiers { overrides[key.scope] = nil }
  }

  public mutating func loadMembers(inScope scope: String?) throws -> [(member: MemberID, handle: Int)] {
    guard let members = reads.scopes[scope] else {
      missing.scopes.append(scope)
      return []
    }
    scopesLoaded[scope] = members.count
    return try members.compactMap { key in try existingMember(key).map { (key.id, $0) } }
  }

  public mutating func appendAudit(_ entry: AuditEntry) throws { audit.append(entry) }

  public mutating func enqueue(_ events: [OutboxEvent]) throws { outbox.append(contentsOf: events) }

  public mutating func removeBadge(_ handle: Int, badge: String, key: String?) throws {
    badges.removeAll { $0.handle == handle && $0.award.badge == badge && $0.award.key == key }
    if versions[handle] != nil { removedBadges.append((keys[handle].id, badge, key ?? "")) }
  }

  /// Adds to the store's running action counts, in this transaction.
  public mutating func add(_ counts: EventCounts) { self.counts += counts }
}
