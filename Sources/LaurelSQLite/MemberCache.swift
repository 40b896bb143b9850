import Laurel
import Synchronization

/// Member states this process read or wrote, by member, with the row's
/// version at that time. A transaction uses an entry without reading the row
/// when no other connection committed since this one last wrote (SQLite's
/// `data_version`), and otherwise only when the row's version still matches,
/// so writes by other processes are never hidden. A failed transaction
/// empties the cache.
final class MemberCache: Sendable {
  struct Entry: Sendable {
    /// The member's row; nil while the batch that inserts it is still being
    /// written (see ``SQLiteImporter``).
    var rowID: Int64?
    var version: Int64
    var state: MemberState
  }

  private let entries = Mutex<[MemberKey: Entry]>([:])
  /// `PRAGMA data_version` when the writer connection last began a transaction.
  private let dataVersion = Mutex<Int64?>(nil)

  /// Whether other connections committed since this process's last transaction.
  enum Freshness {
    /// Nobody else committed: the cache matches the file.
    case current
    /// This is the first transaction (or the first since the cache was emptied).
    case unknown
    /// Another connection committed.
    case stale
  }

  /// Records the writer's current `data_version`, and compares it with the one
  /// seen at the previous transaction.
  func check(dataVersion current: Int64) -> Freshness {
    dataVersion.withLock { seen in
      defer { seen = current }
      guard let seen else { return .unknown }
      return seen == current ? .current : .stale
    }
  }

  /// Batches planned into the cache but not yet written (see ``SQLiteImporter``).
  private let plans = Mutex(0)

  /// While a plan is in flight the cache holds states not yet committed: an
  /// ordinary transaction must check every entry against its row.
  var hasPlansInFlight: Bool { plans.withLock { $0 > 0 } }
  func planStarted() { plans.withLock { $0 += 1 } }
  func planEnded() { plans.withLock { $0 -= 1 } }

  func entry(_ key: MemberKey) -> Entry? { entries.withLock { $0[key] } }

  /// Records a state; a nil `rowID` keeps the row the entry already knows
  /// (a planned batch may finish after the writer learnt the row of a member
  /// the batch before inserted).
  func store(_ key: MemberKey, rowID: Int64?, version: Int64, state: MemberState) {
    entries.withLock { entries in
      let known = rowID ?? entries[key]?.rowID
      entries[key] = Entry(rowID: known, version: version, state: state)
    }
  }

  /// Tells the entry of a member just inserted its row.
  func assign(_ key: MemberKey, rowID: Int64) {
    entries.withLock { $0[key]?.rowID = rowID }
  }

  /// Forgets everything (after a failed transaction, whose rows may be reused by another writer).
  func removeAll() {
    entries.withLock { $0.removeAll() }
    dataVersion.withLock { $0 = nil }
  }
}
