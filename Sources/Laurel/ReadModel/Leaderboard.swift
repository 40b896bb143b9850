public import LaurelExpression

/// One page of a leaderboard, and where a member stands on it.
public struct Leaderboard: Sendable, Equatable {
  public var name: String
  public var currency: String
  public var window: LeaderboardWindow
  public var scope: String?
  /// The page asked for, highest first.
  public var entries: [Entry]
  /// The asking member's place (nil when nobody asked, or the member is not
  /// on a windowed board: earned nothing in the window).
  public var member: Entry?
  /// The members around the asking member: up to two above and two below.
  public var neighbours: [Entry]

  /// A member's place.
  public struct Entry: Sendable, Equatable {
    /// 1-based; members with equal amounts share a rank (1, 2, 2, 4).
    public var rank: Int
    public var user: String
    /// The balance (all time) or the net amount applied in the window.
    public var amount: Int64
  }
}

extension Engine where S: AdminStore {
  /// A page of leaderboard `name` in `scope` for `window` (one the board
  /// declares), and where `user` stands when given. All-time boards rank by
  /// balance; windowed boards (`7d`) by the net amount actions dated in the
  /// window applied — the current UTC day of `now` and the days before it.
  ///
  /// - Throws: ``QueryError`` for an unknown board or a window it does not declare.
  public func leaderboard(
    _ name: String, window: LeaderboardWindow? = nil, scope: String?, limit: Int = 10, offset: Int = 0,
    user: String? = nil, now: Timestamp = .now
  ) async throws -> Leaderboard {
    guard let board = rules.leaderboards.first(where: { $0.name.text == name }) else {
      throw QueryError(
        .unknownLeaderboard,
        "unknown leaderboard '\(name)'; declared: \(rules.leaderboards.map(\.name.text).joined(separator: ", "))")
    }
    let window = window ?? board.windows.first ?? .allTime
    guard board.windows.contains(window) else {
      throw QueryError(
        .unknownLeaderboard,
        "leaderboard '\(name)' has no window \(window); it has \(board.windows.map(\.description).joined(separator: ", "))"
      )
    }
    let period: Standings
    switch window {
    case .allTime: period = .allTime
    case .days(let n): period = .since(day: now.dayNumber() - Int64(max(1, n)) + 1)
    }
    let currency = board.currency.text
    let page = try await ranked(
      try await store.standings(period, currency: currency, scope: scope, limit: max(0, limit), offset: max(0, offset)),
      offset: max(0, offset), period, currency: currency, scope: scope)
    var me: Leaderboard.Entry?
    var neighbours: [Leaderboard.Entry] = []
    if let user,
      let amount = try await store.standing(of: MemberID(scope: scope, user: user), period, currency: currency)
    {
      let above = try await store.standingsAbove(amount, period, currency: currency, scope: scope)
      me = Leaderboard.Entry(rank: above + 1, user: user, amount: amount)
      let start = max(0, above - 2)
      let around = try await store.standings(period, currency: currency, scope: scope, limit: 5 + 2, offset: start)
      let ranked = try await ranked(around, offset: start, period, currency: currency, scope: scope)
      if let mine = ranked.firstIndex(where: { $0.user == user }) {
        neighbours = Array(ranked[max(0, mine - 2)..<min(ranked.count, mine + 3)])
      }
    }
    return Leaderboard(
      name: name, currency: currency, window: window, scope: scope, entries: page, member: me, neighbours: neighbours)
  }

  /// Ranks standings that follow one another (ties share a rank).
  private func ranked(
    _ rows: [(member: MemberID, amount: Int64)], offset: Int, _ period: Standings, currency: String, scope: String?
  ) async throws -> [Leaderboard.Entry] {
    guard let first = rows.first else { return [] }
    // A rank is 1 + the members with more. For the first row's amount that
    // is a count; every row after a change of amount has the page's
    // `offset` rows before the page and the page's rows before it above it.
    let above = try await store.standingsAbove(first.amount, period, currency: currency, scope: scope)
    var tieStart = 0
    return rows.enumerated().map { i, row in
      if i > 0, row.amount != rows[i - 1].amount { tieStart = i }
      let rank = row.amount == first.amount ? above + 1 : offset + tieStart + 1
      return .init(rank: rank, user: row.member.user, amount: row.amount)
    }
  }
}
