import GRDB
@_spi(StoreAdapter) public import Laurel
import Synchronization

/// Leaderboards, each answered in one read transaction. All time: pages of
/// the `balances_ranking` index, ranks from counts on it. Windows: the
/// window's rows of `earnings` (integer keys: board, day, member) summed
/// per member in memory (an array by row id beats SQLite's GROUP BY several
/// times), the first places selected by amount, and user ids read only for
/// the members whose order among equal amounts a page needs.
extension SQLiteStore {
  public func standings(_ query: StandingsQuery) async throws -> StandingsPage {
    try await updateStandings()
    return try await writer.read { db in
      switch query.period {
      case .allTime: try Self.allTimeStandings(query, in: db)
      case .since(let day): try Self.windowStandings(query, since: day, cache: windowSums, in: db)
      }
    }
  }

  /// Brings the leaderboards' tables up to the ledger (see ``StandingsTables``):
  /// a write transaction, when ledger rows were added since the last read;
  /// returns how many rows it folded. A read-only store whose tables are
  /// behind cannot answer (``WriteError``): open it for writing once.
  @discardableResult
  public func updateStandings() async throws -> Int {
    guard try await writer.read({ try StandingsTables.pending(in: $0) }) else { return 0 }
    guard !options.readOnly else {
      let message =
        "\(path): the leaderboards are behind the ledger and the store is open read-only; open it for writing once to bring them up to date"
      throw WriteError(description: message, underlying: DatabaseError(resultCode: .SQLITE_READONLY, message: message))
    }
    writesInFlight.add(1, ordering: .acquiringAndReleasing)
    defer { writesInFlight.subtract(1, ordering: .releasing) }
    do {
      let fold = try await writer.write { try StandingsTables.fold(in: $0) }
      // Committed: the window sums kept in memory take what it added.
      windowSums.apply(fold)
      return fold.rows
    } catch let error as DatabaseError {
      throw WriteError(
        description: "\(path): the leaderboards could not be brought up to date: \(Self.explain(error))",
        underlying: error)
    }
  }

  private static func allTimeStandings(_ query: StandingsQuery, in db: Database) throws -> StandingsPage {
    let scopeKey = SQLiteSchema.scopeKey(query.scope)
    func count(_ condition: String, _ arguments: StatementArguments) throws -> Int {
      try Int.fetchOne(
        db.cachedStatement(
          sql:
            "SELECT count(*) FROM balances WHERE scope_key = ? AND currency = ? AND \(condition)"
        ), arguments: [scopeKey, query.currency] + arguments) ?? 0
    }
    func page(_ offset: Int, _ limit: Int) throws -> [Leaderboard.Entry] {
      let rows = try Row.fetchAll(
        db.cachedStatement(
          sql: """
            SELECT user, amount FROM balances
            WHERE scope_key = ? AND currency = ? ORDER BY amount DESC, user LIMIT ? OFFSET ?
            """), arguments: [scopeKey, query.currency, limit, offset])
      guard let first = rows.first else { return [] }
      let top: Int64 = first[1]
      // Members with more than the first row's amount; rows after a change of
      // amount have the `offset` rows and the page's rows before them above.
      let above = offset == 0 ? 0 : try count("amount > ?", [top])
      var tieStart = 0
      return rows.enumerated().map { i, row in
        let amount: Int64 = row[1]
        if i > 0, amount != rows[i - 1][1] as Int64 { tieStart = i }
        return Leaderboard.Entry(rank: amount == top ? above + 1 : offset + tieStart + 1, user: row[0], amount: amount)
      }
    }
    var result = StandingsPage(entries: try page(query.offset, query.limit), member: nil, neighbours: [])
    guard let user = query.user,
      let amount = try Int64.fetchOne(
        db.cachedStatement(
          sql:
            "SELECT b.amount FROM members m JOIN balances b ON b.member_id = m.id AND b.currency = ? WHERE m.scope_key = ? AND m.user = ?"
        ), arguments: [query.currency, scopeKey, user])
    else { return result }
    let above = try count("amount > ?", [amount])
    let position = above + (try count("amount = ? AND user < ?", [amount, user]))
    result.member = Leaderboard.Entry(rank: above + 1, user: user, amount: amount)
    let start = max(0, position - 2)
    result.neighbours = try page(start, position - start + 3)
    return result
  }

  private static func windowStandings(
    _ query: StandingsQuery, since day: Int64, cache: WindowSumsCache, in db: Database
  ) throws -> StandingsPage {
    let scopeKey = SQLiteSchema.scopeKey(query.scope)
    guard
      let boardID = try StandingsTables.board(scopeKey: scopeKey, currency: query.currency, creating: false, in: db)
    else { return StandingsPage(entries: [], member: nil, neighbours: []) }
    // The sums this process keeps for the window, if they are of the ledger
    // rows the tables hold now (read in this same transaction); else a scan.
    let tables = WindowSumsCache.Position(
      epoch: try StandingsTables.epoch(in: db), cursor: try StandingsTables.cursor(in: db))
    let sums: WindowSums
    if let kept = cache.sums(board: boardID, since: day, at: tables) {
      sums = kept
    } else {
      sums = try WindowSums(db, board: boardID, since: day)
      cache.keep(sums, board: boardID, since: day, at: tables)
    }
    // Only the first `needed` places are ordered: the members whose amount
    // is at least the needed-th largest (a selection, not a sort of all).
    var needed = query.offset + query.limit
    var userAmount: Int64?
    var userRow: Int64?
    if let user = query.user,
      let id = try Int64.fetchOne(
        db.cachedStatement(sql: "SELECT id FROM members WHERE scope_key = ? AND user = ?"), arguments: [scopeKey, user]),
      let amount = sums.amount(of: id)
    {
      userRow = id
      userAmount = amount
      // Its place is after every larger amount and, at most, its whole group.
      let above = sums.amounts.count { $0 > amount }
      let group = sums.amounts.count { $0 == amount }
      needed = max(needed, above + group + 2)
    }
    let cutoff = Self.largest(needed, of: sums.amounts)
    var board = sums.members(atLeast: cutoff).map { (member: $0.member, amount: $0.amount, user: "") }
    // Amount descending; the order among equal amounts (by user) is settled
    // below, for the groups a page touches only.
    board.sort { $0.amount != $1.amount ? $0.amount > $1.amount : $0.member < $1.member }
    var groupStart = Array(repeating: 0, count: board.count)
    for i in board.indices where i > 0 {
      groupStart[i] = board[i].amount == board[i - 1].amount ? groupStart[i - 1] : i
    }
    /// Per group (by its start): how many of its first places are ordered by user.
    var ordered: [Int: Int] = [:]
    /// Orders by user the places of `range` within their groups of equal
    /// amounts: SQLite picks the first users of a group (ORDER BY … LIMIT),
    /// so a group of thousands makes a handful of strings, not thousands.
    func settle(_ range: Range<Int>) throws {
      let range = range.clamped(to: board.indices)
      guard let first = range.first else { return }
      var i = groupStart[first]
      while i < range.upperBound {
        var end = i + 1
        while end < board.count, board[end].amount == board[i].amount { end += 1 }
        let wanted = min(end, range.upperBound) - i
        if ordered[i, default: 0] < wanted {
          let firstUsers = try Self.firstUsers(wanted, of: board[i..<end].map(\.member), in: db)
          let placed = Set(firstUsers.map(\.row))
          let rest = board[i..<end].filter { !placed.contains($0.member) }
          for (k, found) in firstUsers.enumerated() { board[i + k] = (found.row, board[i].amount, found.user) }
          for (k, other) in rest.enumerated() { board[i + firstUsers.count + k] = other }
          ordered[i] = firstUsers.count
        }
        i = end
      }
    }
    func entries(_ range: Range<Int>) throws -> [Leaderboard.Entry] {
      try settle(range)
      return range.clamped(to: board.indices).map {
        Leaderboard.Entry(rank: groupStart[$0] + 1, user: board[$0].user, amount: board[$0].amount)
      }
    }
    var result = StandingsPage(
      entries: try entries(query.offset..<(query.offset + query.limit)), member: nil, neighbours: [])
    guard let user = query.user, userRow != nil, let amount = userAmount,
      let group = board.firstIndex(where: { $0.amount == amount })
    else { return result }
    // The member's place: its group's start plus the group's users before it.
    var end = group
    while end < board.count, board[end].amount == amount { end += 1 }
    let position = group + (try Self.usersBefore(user, among: board[group..<end].map(\.member), in: db))
    result.member = Leaderboard.Entry(rank: group + 1, user: user, amount: amount)
    result.neighbours = try entries((position - 2)..<(position + 3))
    return result
  }

  /// The first `count` users, by user id, of member rows `rows` (handed to
  /// SQLite as one JSON array).
  private static func firstUsers(_ count: Int, of rows: [Int64], in db: Database) throws -> [(row: Int64, user: String)]
  {
    try Row.fetchAll(
      db.cachedStatement(
        sql: "SELECT id, user FROM members WHERE id IN (SELECT value FROM json_each(?)) ORDER BY user LIMIT ?"),
      arguments: [Self.jsonArray(rows), count]
    ).map { ($0[0], $0[1]) }
  }

  /// How many of member rows `rows` have a user id before `user`.
  private static func usersBefore(_ user: String, among rows: [Int64], in db: Database) throws -> Int {
    try Int.fetchOne(
      db.cachedStatement(sql: "SELECT count(*) FROM members WHERE id IN (SELECT value FROM json_each(?)) AND user < ?"),
      arguments: [Self.jsonArray(rows), user]) ?? 0
  }

  private static func jsonArray(_ rows: [Int64]) -> String {
    "[" + rows.map(String.init).joined(separator: ",") + "]"
  }

  /// The `k`-th largest of `values` (quickselect); `.min` when there are fewer.
  static func largest(_ k: Int, of values: [Int64]) -> Int64 {
    guard k > 0, k <= values.count else { return .min }
    var values = values
    var low = 0
    var high = values.count - 1
    let target = k - 1  // its index in descending order
    while low < high {
      let pivot = values[(low + high) / 2]
      var i = low
      var j = high
      while i <= j {
        while values[i] > pivot { i += 1 }
        while values[j] < pivot { j -= 1 }
        if i <= j {
          values.swapAt(i, j)
          i += 1
          j -= 1
        }
      }
      if target <= j {
        high = j
      } else if target >= i {
        low = i
      } else {
        return values[target]
      }
    }
    return values[target]
  }

}
