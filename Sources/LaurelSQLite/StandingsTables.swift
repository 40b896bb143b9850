import GRDB
@_spi(StoreAdapter) import Laurel
import LaurelExpression

/// The leaderboards' tables — each member's latest balance per currency
/// (`balances`) and net amounts per UTC day (`earnings`) — are folded from
/// the ledger **when a leaderboard is read**, not on every commit: keeping
/// them on the commit path cost a durable commit three more pages (p50 63 →
/// 85 µs) and a batched import a quarter more time, for a read most
/// deployments make far less often than they write. `laurel_meta` keeps the
/// last ledger row folded; a read folds the rows after it (one pass,
/// aggregated per member and day) in a write transaction, then reads.
/// What a fold adds also goes into the window sums this process keeps
/// (``WindowSumsCache``), so a window board read after it does not step
/// through the window's rows again.
enum StandingsTables {
  /// The last ledger row the tables include.
  static func cursor(in db: Database) throws -> Int64 {
    try Int64.fetchOne(db, sql: "SELECT value FROM laurel_meta WHERE key = 'standings_folded'").flatMap { $0 } ?? 0
  }

  /// Bumped each time the tables are emptied (a rebuild renumbers the
  /// ledger, so a cursor alone could name other rows than before).
  static func epoch(in db: Database) throws -> Int64 {
    try Int64.fetchOne(db, sql: "SELECT value FROM laurel_meta WHERE key = 'standings_epoch'").flatMap { $0 } ?? 0
  }

  /// Ledger rows not folded yet.
  static func pending(in db: Database) throws -> Bool {
    let last = try Int64.fetchOne(db, sql: "SELECT max(id) FROM ledger") ?? 0
    return last > (try cursor(in: db))
  }

  private struct Day: Hashable {
    var member: Int64
    var day: Int64
  }

  /// One currency's part of a fold.
  private struct Folded {
    var currency: String
    /// Per member row: its latest balance.
    var balances: [Int64: Int64] = [:]
    var earnings: [Day: Int64] = [:]
  }

  /// What a fold added: ledger rows `from` (exclusive) to `to` (inclusive),
  /// as net amounts per board, day and member row.
  struct Fold: Sendable {
    var epoch: Int64
    var from: Int64
    var to: Int64
    var rows = 0
    var earnings: [(board: Int64, day: Int64, member: Int64, amount: Int64)] = []
  }

  /// Folds the ledger rows after the cursor into the tables.
  @discardableResult
  static func fold(in db: Database) throws -> Fold {
    let from = try cursor(in: db)
    var folded: [Folded] = []
    var members: [Int64: (scopeKey: String, user: String)] = [:]
    var last = from
    var count = 0
    let scan = try DirectStatement(
      db,
      """
      SELECT l.id, l.member_id, l.currency, l.balance, l.amount, l.at, m.scope_key, m.user
      FROM ledger l JOIN members m ON m.id = l.member_id WHERE l.id > ? ORDER BY l.id
      """)
    scan.bind(1, from)
    var current = -1
    try scan.forEach { row in
      count += 1
      last = row.int64(0)
      let member = row.int64(1)
      // Schemes have a currency or two: the last one's slot is checked before any search.
      if current < 0 || !row.equals(2, folded[current].currency) {
        let name = row.string(2)
        if let index = folded.firstIndex(where: { $0.currency == name }) {
          current = index
        } else {
          folded.append(Folded(currency: name))
          current = folded.count - 1
        }
      }
      if members[member] == nil { members[member] = (row.string(6), row.string(7)) }
      let at = row.int64(5)
      let day = at >= 0 ? at / 86_400 : (at - 86_399) / 86_400
      folded[current].balances[member] = row.int64(3)
      folded[current].earnings[Day(member: member, day: day), default: 0] &+= row.int64(4)
    }
    var result = Fold(epoch: try epoch(in: db), from: from, to: last, rows: count)
    guard count > 0 else { return result }
    let balance = try DirectStatement(
      db,
      "INSERT INTO balances (scope_key, currency, member_id, user, amount) VALUES (?, ?, ?, ?, ?) ON CONFLICT (member_id, currency) DO UPDATE SET amount = excluded.amount"
    )
    let earning = try DirectStatement(
      db,
      "INSERT INTO earnings (board, day, member_id, amount) VALUES (?, ?, ?, ?) ON CONFLICT (board, day, member_id) DO UPDATE SET amount = amount + excluded.amount"
    )
    var boards: [String: [String: Int64]] = [:]
    for part in folded {
      // In key order, so the B-trees are written from one end to the other.
      for (member, amount) in part.balances.sorted(by: { $0.key < $1.key }) {
        guard let who = members[member] else { continue }
        balance.bind(1, who.scopeKey)
        balance.bind(2, part.currency)
        balance.bind(3, member)
        balance.bind(4, who.user)
        balance.bind(5, amount)
        try balance.run()
      }
      for (key, amount) in part.earnings.sorted(by: { ($0.key.day, $0.key.member) < ($1.key.day, $1.key.member) }) {
        guard let who = members[key.member] else { continue }
        let board: Int64
        if let known = boards[part.currency]?[who.scopeKey] {
          board = known
        } else {
          board = try Self.board(scopeKey: who.scopeKey, currency: part.currency, creating: true, in: db)!
          boards[part.currency, default: [:]][who.scopeKey] = board
        }
        earning.bind(1, board)
        earning.bind(2, key.day)
        earning.bind(3, key.member)
        earning.bind(4, amount)
        try earning.run()
        result.earnings.append((board, key.day, key.member, amount))
      }
    }
    try db.execute(
      sql:
        "INSERT INTO laurel_meta (key, value) VALUES ('standings_folded', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      arguments: ["\(last)"])
    return result
  }

  /// The number of a scope's board of `currency`; nil when there is none and `creating` is false.
  static func board(scopeKey: String, currency: String, creating: Bool, in db: Database) throws -> Int64? {
    if creating {
      try db.execute(
        sql: "INSERT INTO boards (scope_key, currency) VALUES (?, ?) ON CONFLICT (scope_key, currency) DO NOTHING",
        arguments: [scopeKey, currency])
    }
    return try Int64.fetchOne(
      db.cachedStatement(sql: "SELECT id FROM boards WHERE scope_key = ? AND currency = ?"),
      arguments: [scopeKey, currency])
  }

  /// Empties the tables (the ledger is being replaced: a rebuild).
  static func reset(in db: Database) throws {
    try db.execute(
      sql: "DELETE FROM balances; DELETE FROM earnings; DELETE FROM laurel_meta WHERE key = 'standings_folded'")
    try db.execute(
      sql:
        "INSERT INTO laurel_meta (key, value) VALUES ('standings_epoch', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      arguments: ["\(try epoch(in: db) + 1)"])
  }
}
