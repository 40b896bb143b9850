public import LaurelExpression

/// A store that keeps what admins change at run time — tier overrides, gate
/// requirements, catalogue badges, badge grants, the audit log — and answers
/// the read models admins and leaderboards need. ``InMemoryStore`` and the
/// SQLite store are admin stores; `LaurelTesting.AdminConformance` checks both
/// the same way.
///
/// The engine implements every admin operation once, on top of
/// ``AdminTransaction``: a change, the members it re-ranks and its audit
/// entry commit in one transaction of the store.
public protocol AdminStore: Store where Transaction: AdminTransaction {
  /// The settings of `kind` in `scope` whose names start with `prefix`, sorted by name.
  func settings(
    _ kind: SettingKey.Kind, scope: String?, prefix: String
  ) async throws -> [(key: SettingKey, value: String)]
  /// Audit entries, newest first.
  func auditLog(limit: Int, offset: Int) async throws -> [AuditEntry]
  /// A member's applied amounts, newest first.
  func ledger(of member: MemberID, limit: Int, offset: Int) async throws -> [LedgerEntry]
  /// The times of the earliest and latest ledger entries of a member; nil when it has none.
  func activity(of member: MemberID) async throws -> (first: Timestamp, last: Timestamp)?
  /// One page of a leaderboard, ranked, and where the query's user stands,
  /// answered in one read (see ``StandingsQuery``).
  func standings(_ query: StandingsQuery) async throws -> StandingsPage
  /// Members of `scope` whose user id starts with `prefix`, sorted by user,
  /// one page, and how many match in all.
  func memberPage(
    scope: String?, prefix: String, limit: Int, offset: Int
  ) async throws -> (total: Int, members: [(MemberID, MemberState)])
  /// Members holding `badge`, earliest first: those of `scope`, or of every
  /// scope when `scope` is nil.
  func badgeHolders(_ badge: String, scope: String?, limit: Int, offset: Int) async throws -> [BadgeAward]
  /// Outbox events after `sequence`, oldest first, at most `limit` of them.
  func outbox(after sequence: Int64, limit: Int) async throws -> [OutboxEvent]
  /// The sequence of the newest outbox event; 0 when there is none.
  func outboxEnd() async throws -> Int64
}

/// A leaderboard question: members of `scope` by amount of `currency` in
/// `period`, highest first, ties by user id; a page of them, and where `user`
/// stands. A member is on the board once an amount of the currency was
/// applied to them (in the window, for a windowed board).
public struct StandingsQuery: Sendable, Hashable {
  public var period: Standings
  public var currency: String
  public var scope: String?
  public var limit: Int
  public var offset: Int
  /// A user whose rank and neighbours to include.
  public var user: String?

  public init(_ period: Standings, currency: String, scope: String?, limit: Int, offset: Int, user: String? = nil) {
    self.period = period
    self.currency = currency
    self.scope = scope
    self.limit = max(0, limit)
    self.offset = max(0, offset)
    self.user = user
  }
}

/// A store's answer to a ``StandingsQuery``. Ranks are 1-based and shared by
/// equal amounts (1, 2, 2, 4).
public struct StandingsPage: Sendable, Equatable {
  public var entries: [Leaderboard.Entry]
  /// The query's user, when on the board.
  public var member: Leaderboard.Entry?
  /// Up to two members before and two after the query's user, the user included.
  public var neighbours: [Leaderboard.Entry]

  public init(entries: [Leaderboard.Entry], member: Leaderboard.Entry?, neighbours: [Leaderboard.Entry]) {
    self.entries = entries
    self.member = member
    self.neighbours = neighbours
  }

  /// The answer from every member on the board, already in board order
  /// (amount descending, then user): for stores that rank in memory.
  public init(ranking board: [(user: String, amount: Int64)], _ query: StandingsQuery) {
    var ranks: [Int] = []
    ranks.reserveCapacity(board.count)
    for (i, row) in board.enumerated() {
      ranks.append(i > 0 && board[i - 1].amount == row.amount ? ranks[i - 1] : i + 1)
    }
    func entries(_ range: Range<Int>) -> [Leaderboard.Entry] {
      let clamped = range.clamped(to: board.indices)
      return clamped.map { Leaderboard.Entry(rank: ranks[$0], user: board[$0].user, amount: board[$0].amount) }
    }
    self.entries = entries(query.offset..<(query.offset + query.limit))
    if let user = query.user, let i = board.firstIndex(where: { $0.user == user }) {
      member = entries(i..<(i + 1)).first
      neighbours = entries((i - 2)..<(i + 3))
    } else {
      member = nil
      neighbours = []
    }
  }
}

/// What a leaderboard ranks by.
public enum Standings: Sendable, Hashable {
  /// The balance.
  case allTime
  /// The net amount applied by actions dated in UTC days at or after `day`
  /// (days since 1970-01-01).
  case since(day: Int64)
}

/// The transaction of an ``AdminStore``: a ``StateTransaction`` that can also
/// read and write settings, load a whole scope, remove a badge row and append
/// to the audit log, all committed with the rest of the transaction.
public protocol AdminTransaction: StateTransaction {
  /// A setting's value (JSON text), or nil.
  mutating func setting(_ key: SettingKey) throws(Failure) -> String?
  /// Sets (or, with nil, removes) a setting.
  mutating func setSetting(_ key: SettingKey, to value: String?) throws(Failure)
  /// Loads every member of `scope` and returns their handles.
  mutating func loadMembers(inScope scope: String?) throws(Failure) -> [(member: MemberID, handle: Int)]
  /// Appends an entry to the audit log.
  mutating func appendAudit(_ entry: AuditEntry) throws(Failure)
  /// Forgets a badge the store recorded for a member (a revoked grant); the
  /// member's state is changed by the caller.
  mutating func removeBadge(_ handle: Int, badge: String, key: String?) throws(Failure)
  /// Appends events to the outbox, numbering them after the newest.
  mutating func enqueue(_ events: [OutboxEvent]) throws(Failure)
  /// Adds to the store's running counts of actions and of what they produced
  /// (what `laurel export` prints); a store that keeps none ignores them.
  mutating func add(_ counts: EventCounts) throws(Failure)
}

extension AdminTransaction {
  /// By default a store keeps no running counts.
  public mutating func add(_ counts: EventCounts) throws(Failure) {}
}

/// Where one runtime setting is kept.
public struct SettingKey: Hashable, Sendable {
  /// What the setting is.
  public enum Kind: String, Sendable, CaseIterable {
    /// A ladder's tiers in one scope (`name`: the ladder).
    case tiers
    /// A gate requirement in one scope (`name`: `gate/resource`).
    case gate
    /// A badge of the runtime catalogue (`name`: the badge).
    case badge
    /// A manual badge granted to a member (`name`: user, badge and key).
    case grant
    /// How far a consumer of the outbox got (`name`: the consumer; value:
    /// the sequence of the last event it handled).
    case cursor
  }

  public var kind: Kind
  /// The scope (a community); nil for settings of a global scheme or the whole store.
  public var scope: String?
  public var name: String

  public init(_ kind: Kind, scope: String?, name: String) {
    self.kind = kind
    self.scope = scope
    self.name = name
  }
}

/// One admin change, as the audit log keeps it.
public struct AuditEntry: Sendable, Equatable, Codable {
  /// Who made the change (the admin's id).
  public var actor: String
  /// What was done: `levels.set`, `levels.reset`, `gate.set`, `gate.remove`,
  /// `badge.grant`, `badge.revoke`, `catalogue.create`, `catalogue.update`.
  public var operation: String
  public var scope: String?
  /// What was changed: a ladder, `gate/resource`, `user badge[key]`, a badge.
  public var target: String
  /// The value before and after, as JSON (nil: none).
  public var before: String?
  public var after: String?
  /// Why, when the admin said.
  public var reason: String?
  public var at: Timestamp

  public init(
    actor: String, operation: String, scope: String?, target: String, before: String?, after: String?,
    reason: String?, at: Timestamp
  ) {
    self.actor = actor
    self.operation = operation
    self.scope = scope
    self.target = target
    self.before = before
    self.after = after
    self.reason = reason
    self.at = at
  }
}
