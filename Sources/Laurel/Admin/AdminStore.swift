public import LaurelExpression

/// A store that keeps what admins change at run time — tier overrides, gate
/// requirements, catalogue badges, badge grants, the audit log — and answers
/// the read models admins and leaderboards need. ``InMemoryStore`` and the
/// SQLite store are admin stores; `LaurelTesting.StoreConformance` checks both
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
  /// Members of `scope` by amount of `currency`, highest first (ties by user):
  /// the balance (``Standings/allTime``) or the net amount applied by actions
  /// dated in UTC days at or after a day (``Standings/since(day:)``).
  func standings(
    _ period: Standings, currency: String, scope: String?, limit: Int, offset: Int
  ) async throws -> [(member: MemberID, amount: Int64)]
  /// How many members of `scope` have more than `amount` in `period`.
  func standingsAbove(_ amount: Int64, _ period: Standings, currency: String, scope: String?) async throws -> Int
  /// One member's amount in `period`; nil when the member is not on the board.
  func standing(of member: MemberID, _ period: Standings, currency: String) async throws -> Int64?
  /// Members of `scope` whose user id starts with `prefix`, sorted by user,
  /// one page, and how many match in all.
  func memberPage(
    scope: String?, prefix: String, limit: Int, offset: Int
  ) async throws -> (total: Int, members: [(MemberID, MemberState)])
  /// Members holding `badge`, earliest first: those of `scope`, or of every
  /// scope when `scope` is nil.
  func badgeHolders(_ badge: String, scope: String?, limit: Int, offset: Int) async throws -> [BadgeAward]
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
