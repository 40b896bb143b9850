@_spi(StoreAdapter) public import Laurel
public import LaurelExpression
import NIOCore
import PostgresNIO

/// The store's reads: members, settings, audit log, ledgers, leaderboards,
/// member pages, badge holders and the outbox; each one query.
extension PostgresStore {
  /// Runs `query` and decodes its rows as `types`; server errors become ``WriteError``.
  func rows<each T: PostgresDecodable & Sendable>(
    _ query: PostgresQuery, as types: (repeat each T).Type
  ) async throws -> [(repeat each T)] {
    do { return try await fetch(query, as: types) } catch let error as PSQLError {
      throw WriteError(description: "\(configuration): \(Self.explain(error))")
    }
  }

  /// Runs `query` on a connection of the pool and returns its rows decoded.
  ///
  /// Not `PostgresClient.query`: in postgres-nio 1.33.2 a statement that
  /// fails before its rows are consumed never gives its connection back to
  /// the pool (a conflict does exactly that), and a pool whose connections
  /// all leaked waits forever. A leased connection is always given back.
  func fetch<each T: PostgresDecodable & Sendable>(
    _ query: PostgresQuery, as types: (repeat each T).Type
  ) async throws -> [(repeat each T)] {
    try await client.withConnection { [logger] connection in
      var result: [(repeat each T)] = []
      for try await row in try await connection.query(query, logger: logger).decode(types) { result.append(row) }
      return result
    }
  }

  /// Runs a statement whose rows do not matter.
  func execute(_ query: PostgresQuery) async throws {
    try await client.withConnection { [logger] connection in
      for try await _ in try await connection.query(query, logger: logger) {}
    }
  }

  private func members(_ rows: [(String, String, ByteBuffer)]) throws -> [(MemberID, MemberState)] {
    let layout = stateLayout
    return try rows.map { scopeKey, user, state in
      let id = MemberID(scope: PostgresSchema.scope(scopeKey), user: user)
      return (id, try Self.decodeState(state, member: id, layout: layout))
    }
  }

  /// Every member, sorted by scope then user.
  public func members() async throws -> [(MemberID, MemberState)] {
    try members(
      try await rows("SELECT scope_key, user_id, state FROM members", as: (String, String, ByteBuffer).self)
    ).filter { !$0.0.isObject }.sorted { $0.0 < $1.0 }  // objects' states are kept with members but are not members
  }

  /// The members of one scope, sorted by user.
  public func members(inScope scope: String?) async throws -> [(MemberID, MemberState)] {
    let key = PostgresSchema.scopeKey(scope)
    return try members(
      try await rows(
        "SELECT scope_key, user_id, state FROM members WHERE scope_key = \(key)", as: (String, String, ByteBuffer).self)
    ).sorted { $0.0 < $1.0 }
  }

  public func state(of member: MemberID) async throws -> MemberState? {
    try await stateAndOverrides(of: member).state
  }

  /// The member's state and its scope's tier overrides, in one query.
  public func stateAndOverrides(of member: MemberID) async throws -> (state: MemberState?, overrides: TierOverrides) {
    let key = PostgresSchema.scopeKey(member.scope)
    let found = try await rows(
      """
      SELECT NULL::text, state FROM members WHERE scope_key = \(key) AND user_id = \(member.user)
      UNION ALL SELECT name || '=' || value, NULL FROM settings WHERE scope_key = \(key) AND kind = 'tiers'
      """, as: (String?, ByteBuffer?).self)
    var state: MemberState?
    var settings: [(String?, String, String)] = []
    for (setting, bytes) in found {
      if let bytes {
        state = try Self.decodeState(bytes, member: member, layout: stateLayout)
      } else if let setting, let equals = setting.firstIndex(of: "=") {
        settings.append((member.scope, String(setting[..<equals]), String(setting[setting.index(after: equals)...])))
      }
    }
    return (state, TierOverrides.byScope(settings)[member.scope] ?? TierOverrides())
  }

  public func tierOverrides(scope: String?) async throws -> TierOverrides {
    try await tierOverridesByScope()[scope] ?? TierOverrides()
  }

  /// Every scope's tier overrides (what a replay of the log ranks under).
  public func tierOverridesByScope() async throws -> [String?: TierOverrides] {
    TierOverrides.byScope(
      try await rows(
        "SELECT scope_key, name, value FROM settings WHERE kind = 'tiers'", as: (String, String, String).self
      )
      .map { (PostgresSchema.scope($0.0), $0.1, $0.2) })
  }

  public func settings(
    _ kind: SettingKey.Kind, scope: String?, prefix: String
  ) async throws -> [(key: SettingKey, value: String)] {
    let key = PostgresSchema.scopeKey(scope)
    let kindName = kind.rawValue
    return try await rows(
      """
      SELECT name, value FROM settings WHERE scope_key = \(key) AND kind = \(kindName) AND starts_with(name, \(prefix))
      ORDER BY name COLLATE "C"
      """, as: (String, String).self
    ).map { (SettingKey(kind, scope: scope, name: $0.0), $0.1) }
  }

  public func auditLog(limit: Int, offset: Int) async throws -> [AuditEntry] {
    try await rows(
      """
      SELECT at, actor, operation, scope_key, target, before, after, reason FROM audit
      ORDER BY id DESC LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
      """, as: (Int64, String, String, String, String, String?, String?, String?).self
    ).map { at, actor, operation, scope, target, before, after, reason in
      AuditEntry(
        actor: actor, operation: operation, scope: PostgresSchema.scope(scope), target: target, before: before,
        after: after, reason: reason, at: try Timestamp(seconds: at))
    }
  }

  public func ledger(of member: MemberID, limit: Int = 50, offset: Int = 0) async throws -> [LedgerEntry] {
    let key = PostgresSchema.scopeKey(member.scope)
    return try await rows(
      """
      SELECT currency, amount, balance, rule, action_id, at FROM ledger
      WHERE scope_key = \(key) AND user_id = \(member.user) ORDER BY seq DESC LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
      """, as: (String, Int64, Int64, String, String, Int64).self
    ).map { currency, amount, balance, rule, actionID, at in
      LedgerEntry(
        member: member, currency: currency, amount: amount, balance: balance, rule: rule, actionID: actionID,
        at: try Timestamp(seconds: at))
    }
  }

  public func activity(of member: MemberID) async throws -> (first: Timestamp, last: Timestamp)? {
    let key = PostgresSchema.scopeKey(member.scope)
    guard
      let (first, last) = try await rows(
        "SELECT min(at), max(at) FROM ledger WHERE scope_key = \(key) AND user_id = \(member.user)",
        as: (Int64?, Int64?).self
      ).first, let first, let last
    else { return nil }
    return (try Timestamp(seconds: first), try Timestamp(seconds: last))
  }

  /// A page of a leaderboard and the query's user's neighbourhood, ranked by
  /// the server (`rank()`: ties share a rank; ties ordered by user id, bytewise).
  public func standings(_ query: StandingsQuery) async throws -> StandingsPage {
    let key = PostgresSchema.scopeKey(query.scope)
    let board: String
    var since: Int64 = 0
    switch query.period {
    case .allTime:
      board = "SELECT user_id, amount FROM balances WHERE scope_key = $1 AND currency = $2"
    case .since(let day):
      board =
        "SELECT user_id, sum(amount)::bigint AS amount FROM ledger WHERE scope_key = $1 AND currency = $2 AND at >= $6 GROUP BY user_id"
      since = day.multipliedReportingOverflow(by: 86_400).overflow ? Int64.max : day * 86_400
    }
    var bindings = PostgresBindings()
    bindings.append(key)
    bindings.append(query.currency)
    bindings.append(query.user ?? "")
    bindings.append(Int64(query.offset))
    bindings.append(Int64(query.limit))
    bindings.append(since)
    let sql = """
      WITH board AS (
        SELECT user_id, amount, rank() OVER (ORDER BY amount DESC) AS rank,
               row_number() OVER (ORDER BY amount DESC, user_id COLLATE "C") AS position
        FROM (\(board)) AS b),
      me AS (SELECT position FROM board WHERE user_id = $3 AND $3 <> '')
      SELECT rank, user_id, amount, position, (SELECT position FROM me) AS mine FROM board
      WHERE (position > $4 AND position <= $4 + $5)
         OR position BETWEEN (SELECT position FROM me) - 2 AND (SELECT position FROM me) + 2
      ORDER BY position
      """
    let found = try await rows(
      PostgresQuery(unsafeSQL: sql, binds: bindings), as: (Int64, String, Int64, Int64, Int64?).self)
    var page = StandingsPage(entries: [], member: nil, neighbours: [])
    for (rank, user, amount, position, mine) in found {
      let entry = Leaderboard.Entry(rank: Int(rank), user: user, amount: amount)
      if position > query.offset && position <= query.offset + query.limit { page.entries.append(entry) }
      if let mine, abs(position - mine) <= 2 { page.neighbours.append(entry) }
      if user == query.user { page.member = entry }
    }
    return page
  }

  public func memberPage(
    scope: String?, prefix: String, limit: Int, offset: Int
  ) async throws -> (total: Int, members: [(MemberID, MemberState)]) {
    let key = PostgresSchema.scopeKey(scope)
    let found = try await rows(
      """
      SELECT user_id, state, count(*) OVER () FROM members WHERE scope_key = \(key) AND starts_with(user_id, \(prefix))
      ORDER BY user_id COLLATE "C" LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
      """, as: (String, ByteBuffer, Int64).self)
    var total = found.first.map { Int($0.2) } ?? 0
    if found.isEmpty, offset > 0 {
      let counted: [Int64] = try await rows(
        "SELECT count(*) FROM members WHERE scope_key = \(key) AND starts_with(user_id, \(prefix))", as: Int64.self)
      total = Int(counted.first ?? 0)
    }
    let layout = stateLayout
    return (
      total,
      try found.map { user, state, _ in
        let id = MemberID(scope: scope, user: user)
        return (id, try Self.decodeState(state, member: id, layout: layout))
      }
    )
  }

  public func badgeHolders(_ badge: String, scope: String?, limit: Int, offset: Int) async throws -> [BadgeAward] {
    let key = scope.map { PostgresSchema.scopeKey($0) } ?? ""
    return try await rows(
      """
      SELECT scope_key, user_id, key, at FROM badges WHERE badge = \(badge) AND (\(key) = '' OR scope_key = \(key))
      ORDER BY at, scope_key COLLATE "C", user_id COLLATE "C", key COLLATE "C"
      LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
      """, as: (String, String, String, Int64).self
    ).map { scope, user, key, at in
      BadgeAward(
        member: MemberID(scope: PostgresSchema.scope(scope), user: user), badge: badge, key: key.isEmpty ? nil : key,
        at: try Timestamp(seconds: at))
    }
  }

  public func outbox(after sequence: Int64, limit: Int) async throws -> [OutboxEvent] {
    try await rows(
      """
      SELECT sequence, type, scope_key, user_id, at, at_nanos, data FROM outbox
      WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(max(0, limit))
      """, as: (Int64, String, String, String, Int64, Int32, String).self
    ).map { sequence, type, scope, user, at, nanos, data in
      OutboxEvent(
        sequence: sequence, type: type, scope: PostgresSchema.scope(scope), user: user,
        at: try Timestamp(seconds: at, nanos: nanos), data: data)
    }
  }

  public func outboxEnd() async throws -> Int64 {
    try await rows("SELECT coalesce(max(sequence), 0)::bigint FROM outbox", as: Int64.self).first ?? 0
  }
}
