import LaurelExpression

/// What ``InMemoryStore`` keeps besides member states: admin settings, the
/// audit log, the ledger and the badges earned, as an ``AdminStore`` must.
/// Tier overrides live decoded in ``InMemoryState/overrides``, where the
/// engine reads them.
struct AdminRecords: Sendable {
  var settings: [SettingKey: String] = [:]
  var audit: [AuditEntry] = []
  var ledger: [LedgerEntry] = []
  var badges: [BadgeAward] = []
  var outbox: [OutboxEvent] = []
}

/// What a transaction changed in ``AdminRecords``, to undo it.
struct AdminJournal {
  var ledgerCount = 0
  var auditCount = 0
  var badgeCount = 0
  var outboxCount = 0
  /// Settings' values before their first change.
  var settings: [SettingKey: String?] = [:]
  /// Badge rows removed, with their positions.
  var removedBadges: [(Int, BadgeAward)] = []

  init() {}

  init(_ records: AdminRecords) {
    ledgerCount = records.ledger.count
    auditCount = records.audit.count
    badgeCount = records.badges.count
    outboxCount = records.outbox.count
  }

  func undo(_ records: inout AdminRecords, _ state: inout InMemoryState) {
    records.ledger.removeSubrange(min(ledgerCount, records.ledger.count)...)
    records.audit.removeSubrange(min(auditCount, records.audit.count)...)
    records.badges.removeSubrange(min(badgeCount, records.badges.count)...)
    records.outbox.removeSubrange(min(outboxCount, records.outbox.count)...)
    for (index, award) in removedBadges.reversed() {
      records.badges.insert(award, at: min(index, records.badges.count))
    }
    for (key, value) in settings {
      records.settings[key] = value
      if key.kind == .tiers { state.overrides = AdminRecords.overrides(records.settings) }
    }
  }
}

extension AdminRecords {
  /// The tier overrides the settings hold, by scope.
  static func overrides(_ settings: [SettingKey: String]) -> [String?: TierOverrides] {
    TierOverrides.byScope(settings.lazy.filter { $0.key.kind == .tiers }.map { ($0.key.scope, $0.key.name, $0.value) })
  }

  /// Standings in memory, from the ledger: the latest balances, or the net
  /// amounts of the window.
  func standings(_ period: Standings, currency: String, scope: String?) -> [(member: MemberID, amount: Int64)] {
    var amounts: [MemberID: Int64] = [:]
    switch period {
    case .allTime:
      // The latest balance the ledger shows (as SQLite's `balances` table keeps it).
      for entry in ledger where entry.member.scope == scope && entry.currency == currency {
        amounts[entry.member] = entry.balance
      }
    case .since(let day):
      for entry in ledger where entry.member.scope == scope && entry.currency == currency {
        guard entry.at.seconds >= day &* 86_400 else { continue }
        amounts[entry.member, default: 0] &+= entry.amount
      }
    }
    return amounts.map { (member: $0.key, amount: $0.value) }.sorted {
      $0.amount != $1.amount ? $0.amount > $1.amount : $0.member < $1.member
    }
  }
}
