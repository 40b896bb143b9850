import Laurel
import Synchronization

/// Member states this process read or wrote, by member, with the row's
/// version at that time. A transaction uses an entry only when the row's
/// current version matches, so writes by other processes (or a rolled-back
/// transaction) are never hidden: the state is then read again.
final class MemberCache: Sendable {
  struct Entry: Sendable {
    var rowID: Int64
    var version: Int64
    var state: MemberState
  }

  private let entries = Mutex<[MemberID: Entry]>([:])

  func entry(_ id: MemberID) -> Entry? { entries.withLock { $0[id] } }

  func store(_ id: MemberID, rowID: Int64, version: Int64, state: MemberState) {
    entries.withLock { $0[id] = Entry(rowID: rowID, version: version, state: state) }
  }

  /// Forgets everything (after a failed transaction, whose rows may be reused by another writer).
  func removeAll() { entries.withLock { $0.removeAll() } }
}
