import GRDB
import Synchronization

/// A window's net amount per member row, summed from `earnings` rows. Row
/// ids are dense (SQLite assigns them in order), so the sums live in an
/// array indexed by row id, not a hash table: three times faster on the
/// 306,000 rows of a 30-day window of 100,000 members. Stores whose row ids
/// run past ``denseLimit`` sum in a hash table.
struct WindowSums: Sendable {
  /// Per member row id: the sum, and whether the member has rows in the window.
  private var sums: [Int64] = []
  private var present: [Bool] = []
  /// The sums by row id, when row ids are too large for arrays.
  private var sparse: [Int64: Int64]?

  /// Row ids up to this many are summed in arrays (at most 9 bytes each).
  static let denseLimit: Int64 = 16 << 20

  init(_ db: Database, board: Int64, since day: Int64) throws {
    let top = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM members")) ?? 0
    let scan = try DirectStatement(db, "SELECT member_id, amount FROM earnings WHERE board = ? AND day >= ?")
    scan.bind(1, board)
    scan.bind(2, day)
    guard top >= 0, top < Self.denseLimit else {
      var sums: [Int64: Int64] = [:]
      try scan.forEach { row in sums[row.int64(0), default: 0] &+= row.int64(1) }
      sparse = sums
      return
    }
    sums = Array(repeating: 0, count: Int(top) + 1)
    present = Array(repeating: false, count: Int(top) + 1)
    try sums.withUnsafeMutableBufferPointer { sums in
      try present.withUnsafeMutableBufferPointer { present in
        try scan.forEach { row in
          let id = Int(row.int64(0))
          guard id >= 0, id < sums.count else { return }
          sums[id] &+= row.int64(1)
          present[id] = true
        }
      }
    }
  }

  /// Adds a folded amount; false when the arrays cannot take its row (the sums are then dropped).
  mutating func add(_ row: Int64, _ amount: Int64) -> Bool {
    if sparse != nil {
      sparse![row, default: 0] &+= amount
      return true
    }
    guard row >= 0, row < Self.denseLimit else { return false }
    if row >= sums.count {
      sums += repeatElement(0, count: Int(row) + 1 - sums.count)
      present += repeatElement(false, count: Int(row) + 1 - present.count)
    }
    sums[Int(row)] &+= amount
    present[Int(row)] = true
    return true
  }

  func amount(of row: Int64) -> Int64? {
    if let sparse { return sparse[row] }
    return row >= 0 && row < present.count && present[Int(row)] ? sums[Int(row)] : nil
  }

  /// Every member's sum, in no particular order.
  var amounts: [Int64] {
    if let sparse { return Array(sparse.values) }
    return present.indices.compactMap { present[$0] ? sums[$0] : nil }
  }

  func members(atLeast cutoff: Int64) -> [(member: Int64, amount: Int64)] {
    if let sparse { return sparse.compactMap { $0.value >= cutoff ? ($0.key, $0.value) : nil } }
    return present.indices.compactMap { present[$0] && sums[$0] >= cutoff ? (Int64($0), sums[$0]) : nil }
  }
}

/// The window sums this process computed, each with the ledger row the
/// leaderboard tables had reached when it was computed (their cursor). A
/// fold by this process moves the sums it matches forward; one by another
/// process (or a rebuild) moves the cursor without them, so they no longer
/// match and the next read scans again.
final class WindowSumsCache: Sendable {
  private struct Key: Hashable {
    var board: Int64
    var since: Int64
  }

  /// Where the tables were when the sums were taken: their epoch and cursor.
  struct Position: Hashable, Sendable {
    var epoch: Int64
    var cursor: Int64
  }

  private let entries = Mutex<[Key: (position: Position, sums: WindowSums)]>([:])
  /// Windows kept at most (a board and a first day each: a few per scope a day).
  static let capacity = 32

  func sums(board: Int64, since: Int64, at position: Position) -> WindowSums? {
    entries.withLock { entries in
      guard let entry = entries[Key(board: board, since: since)], entry.position == position else { return nil }
      return entry.sums
    }
  }

  func keep(_ sums: WindowSums, board: Int64, since: Int64, at position: Position) {
    entries.withLock { entries in
      if entries.count >= Self.capacity { entries.removeAll() }
      entries[Key(board: board, since: since)] = (position, sums)
    }
  }

  /// Moves the sums that were at the fold's start to its end, adding what it folded.
  func apply(_ fold: StandingsTables.Fold) {
    guard fold.rows > 0 else { return }
    entries.withLock { entries in
      for key in Array(entries.keys) {
        guard var entry = entries.removeValue(forKey: key),
          entry.position == Position(epoch: fold.epoch, cursor: fold.from)
        else { continue }
        var kept = true
        for earning in fold.earnings where earning.board == key.board && earning.day >= key.since {
          kept = kept && entry.sums.add(earning.member, earning.amount)
        }
        guard kept else { continue }
        entry.position.cursor = fold.to
        entries[key] = entry
      }
    }
  }

  func removeAll() { entries.withLock { $0.removeAll() } }
}
