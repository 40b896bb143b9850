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

    public init(rank: Int, user: String, amount: Int64) {
      self.rank = rank
      self.user = user
      self.amount = amount
    }
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
    let page = try await store.standings(
      StandingsQuery(period, currency: currency, scope: scope, limit: limit, offset: offset, user: user))
    return Leaderboard(
      name: name, currency: currency, window: window, scope: scope, entries: page.entries, member: page.member,
      neighbours: page.neighbours)
  }
}
