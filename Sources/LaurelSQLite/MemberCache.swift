@_spi(StoreAdapter) import Laurel
import Synchronization

/// Member states this process read or wrote, by member, with the row's
/// version at that time.
///
/// An entry is *trusted* (used without reading its row) only when it was
/// read or written since the last time this process saw another connection
/// commit (SQLite's `data_version`). Each time a writer transaction finds
/// that another connection committed, the cache moves to a new generation:
/// every older entry must then be checked against its row's version before
/// it is used, and is trusted again once it has been. Without this, a member
/// changed by another process while this one was not touching it would keep
/// its old state here, and the next transaction would build on it (a lost
/// update). A failed transaction empties the cache.
final class MemberCache: Sendable {
  struct Entry: Sendable {
    /// The member's row; nil while the batch that inserts it is still being
    /// written (see ``SQLiteImporter``).
    var rowID: Int64?
    var version: Int64
    var state: MemberState
    /// The generation in which the entry was last known to match the file.
    var generation: Int
  }

  private struct Contents {
    var entries: [MemberKey: Entry] = [:]
    /// `PRAGMA data_version` when the writer connection last began a transaction.
    var dataVersion: Int64?
    var generation = 0
  }

  private let contents = Mutex(Contents())

  /// Whether other connections committed since this process's last transaction.
  enum Freshness {
    /// Nobody else committed: trusted entries match the file.
    case current
    /// This is the first transaction (or the first since the cache was emptied).
    case unknown
    /// Another connection committed.
    case stale
  }

  /// Records the writer's current `data_version` and compares it with the
  /// one seen at the previous transaction; anything but `.current` starts a
  /// new generation, so no entry is trusted before it is checked again.
  func check(dataVersion current: Int64) -> Freshness {
    contents.withLock { contents in
      defer { contents.dataVersion = current }
      let freshness: Freshness =
        contents.dataVersion == nil ? .unknown : contents.dataVersion == current ? .current : .stale
      if freshness != .current { contents.generation += 1 }
      return freshness
    }
  }

  /// Batches planned into the cache but not yet written (see ``SQLiteImporter``).
  private let plans = Mutex(0)

  /// While a plan is in flight the cache holds states not yet committed: an
  /// ordinary transaction must check every entry against its row.
  var hasPlansInFlight: Bool { plans.withLock { $0 > 0 } }
  func planStarted() { plans.withLock { $0 += 1 } }
  func planEnded() { plans.withLock { $0 -= 1 } }

  /// The entry of a member, trusted or not (to compare with its row's version).
  func entry(_ key: MemberKey) -> Entry? { contents.withLock { $0.entries[key] } }

  /// The entry of a member if it may be used without reading its row.
  func trustedEntry(_ key: MemberKey) -> Entry? {
    contents.withLock { contents in
      guard let entry = contents.entries[key], entry.generation == contents.generation else { return nil }
      return entry
    }
  }

  /// Records a state known to match the file (or, for a batch planned ahead,
  /// to be written before anything builds on it); a nil `rowID` keeps the
  /// row the entry already knows (a planned batch may finish after the
  /// writer learnt the row of a member the batch before inserted).
  func store(_ key: MemberKey, rowID: Int64?, version: Int64, state: MemberState) {
    contents.withLock { contents in
      let known = rowID ?? contents.entries[key]?.rowID
      contents.entries[key] = Entry(rowID: known, version: version, state: state, generation: contents.generation)
    }
  }

  /// Tells the entry of a member just inserted its row.
  func assign(_ key: MemberKey, rowID: Int64) {
    contents.withLock { $0.entries[key]?.rowID = rowID }
  }

  /// Forgets everything (after a failed transaction, whose rows may be reused by another writer).
  func removeAll() {
    contents.withLock { contents in
      contents.entries.removeAll()
      contents.dataVersion = nil
      contents.generation += 1
    }
  }
}
