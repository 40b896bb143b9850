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
    var rowID: Int64
    var version: Int64
    var state: MemberState
  }

  private let entries = Mutex<[MemberKey: Entry]>([:])
  /// `PRAGMA data_version` when the writer connection last began a transaction.
  private let dataVersion = Mutex<Int64?>(nil)

  /// Records the writer's current `data_version`; true when it is the one seen
  /// at the previous transaction (nobody else committed in between).
  func isCurrent(dataVersion current: Int64) -> Bool {
    dataVersion.withLock { seen in
      defer { seen = current }
      return seen == current
    }
  }

  func entry(_ key: MemberKey) -> Entry? { entries.withLock { $0[key] } }

  func store(_ key: MemberKey, rowID: Int64, version: Int64, state: MemberState) {
    entries.withLock { $0[key] = Entry(rowID: rowID, version: version, state: state) }
  }

  /// Forgets everything (after a failed transaction, whose rows may be reused by another writer).
  func removeAll() {
    entries.withLock { $0.removeAll() }
    dataVersion.withLock { $0 = nil }
  }
}
