import Foundation
import GRDB
@_spi(StoreAdapter) import Laurel

/// A batch the engine ran ahead of its write (see ``SQLiteImporter``):
/// every row the batch adds or changes, ready for one transaction.
///
/// A plan rests on premises: no other connection wrote the file since this
/// process's last commit, no id it claims was logged before, and the members
/// it changes still have the versions it read (which also catches a write
/// through this same connection meanwhile). The writer checks them all and
/// throws ``Outdated`` (writing nothing) when one fails; the batch is then
/// applied again the ordinary way.
struct BatchPlan: Sendable {
  /// A member the batch read or changed.
  struct Member: Sendable {
    var key: MemberKey
    /// Its row; nil for a member this batch creates, or one the batch
    /// before created and is still writing.
    var row: Int64?
    var isNew: Bool
    /// The version the plan read (a member the batch before changes: the version it will have).
    var version: Int64
    /// The encoded state to write; nil when the batch only read the member.
    var state: [UInt8]?
  }

  /// A once-per key, by member key (the member may have no row yet).
  struct OnceKey: Hashable, Sendable {
    var member: MemberKey
    var rule: Int
    var key: String
  }

  /// Actions claimed, in order; nil for one released again (rejected).
  var actions: [PreparedAction?] = []
  /// The ids in `actions` (not released), for duplicates within the batch and the next.
  var claimed = ActionIDSet()
  var members: [Member] = []
  var onceKeys: Set<OnceKey> = []
  /// Once-per keys to insert: the member's index in `members`, the rule, the key.
  var onceRows: [(member: Int, rule: Int, key: String)] = []
  /// Ledger rows; each entry's `memberHandle` is an index in `members`.
  var ledger: [LedgerEntry] = []
  /// Badges earned: the member's index in `members`, the award, the action's id.
  var badges: [(member: Int, award: BadgeAward, actionID: String)] = []
  var counts = EventCounts()
  var rulesVersion: Int64?
  /// The ``OverrideCache`` generation the batch was planned in: tiers ranked
  /// under overrides changed since would be wrong.
  var overridesGeneration = 0

  /// Why a plan was not written: one of its premises failed (see the type's
  /// documentation). Nothing of it was written.
  struct Outdated: Error, CustomStringConvertible {
    var description: String
  }

  /// Writes the plan in the current transaction of the store's writer.
  func write(in db: Database, cache: MemberCache, overrides: OverrideCache) throws {
    let dataVersion = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? -1
    guard cache.check(dataVersion: dataVersion) == .current else {
      throw Outdated(description: "another connection wrote")
    }
    guard overrides.generation == overridesGeneration else {
      throw Outdated(description: "tier overrides changed since the batch was planned")
    }
    for case let action? in actions {
      guard try StoreRows.insertAction(action, rulesVersion: rulesVersion, in: db) else {
        throw Outdated(description: "action \(action.id) was logged before")
      }
    }
    let now = Int64(Date().timeIntervalSince1970)
    var rows = members.map(\.row)
    for (index, member) in members.enumerated() {
      if rows[index] == nil, !member.isNew {
        // A member the batch before inserted: the writer learnt its row by now.
        rows[index] = cache.entry(member.key)?.rowID
        guard rows[index] != nil else { throw Outdated(description: "member \(member.key) has no row") }
      }
      guard let state = member.state else {
        // Only read, but what the batch did may depend on it.
        if let row = rows[index], try StoreRows.version(ofMember: row, in: db) != member.version {
          throw Outdated(description: "member \(member.key) changed since the batch was planned")
        }
        continue
      }
      if let row = rows[index] {
        guard try StoreRows.updateMember(row: row, ifVersion: member.version, state: state, now: now, in: db) else {
          throw Outdated(description: "member \(member.key) changed since the batch was planned")
        }
      } else {
        let inserted = try StoreRows.insertMember(member.key.id, state: state, now: now, in: db)
        rows[index] = inserted
        cache.assign(member.key, rowID: inserted)
      }
    }
    for once in onceRows {
      guard let row = rows[once.member], try StoreRows.insertOnce(member: row, rule: once.rule, key: once.key, in: db)
      else {
        throw Outdated(description: "a once-per key of \(members[once.member].key) was claimed before")
      }
    }
    guard ledger.allSatisfy({ rows[$0.memberHandle] != nil }) else {
      throw Outdated(description: "a ledger row has no member")
    }
    try StoreRows.insertLedger(ledger, rulesVersion: rulesVersion, in: db) { rows[$0.memberHandle] }
    for (member, award, actionID) in badges {
      guard let row = rows[member] else { throw Outdated(description: "a badge of \(award.member) has no member") }
      try StoreRows.insertBadge(award, member: row, actionID: actionID, rulesVersion: rulesVersion, in: db)
    }
    try StoreRows.add(counts, in: db)
  }
}
