public import LaurelExpression
import Synchronization

/// State in process memory, guarded by a mutex: the default for tests, for
/// embedding where persistence is not needed, and the model other stores
/// must behave like. It keeps the ledger, badges, admin settings and audit
/// log too (an ``AdminStore``), all in memory.
public final class InMemoryStore: AdminStore {
  public typealias Transaction = JournaledState
  private let contents = Mutex((state: InMemoryState(), records: AdminRecords()))

  public init() {}

  /// Runs `body` on the state under the lock, in place; if `body` throws,
  /// the journal of what it changed (members' earlier states, new members,
  /// ids and once-per keys, records) is undone, so nothing of it is kept.
  /// Copying the whole state instead would make every call O(members).
  public func transaction<R: Sendable>(
    reading footprint: BatchFootprint, _ body: @escaping @Sendable (inout JournaledState) throws -> R
  ) async throws -> R {
    try contents.withLock { current in
      var tx = JournaledState()
      tx.begin(&current.state, &current.records)
      do {
        let result = try body(&tx)
        tx.end(into: &current.state, &current.records, undo: false)
        return result
      } catch {
        tx.end(into: &current.state, &current.records, undo: true)
        throw error
      }
    }
  }

  public func members() async throws -> [(MemberID, MemberState)] {
    contents.withLock { $0.state.sortedMembers() }
  }

  public func state(of member: MemberID) async throws -> MemberState? {
    contents.withLock { $0.state.state(of: member) }
  }

  public func tierOverrides(scope: String?) async throws -> TierOverrides {
    contents.withLock { $0.state.tierOverrides(scope: scope) } ?? TierOverrides()
  }

  public func settings(
    _ kind: SettingKey.Kind, scope: String?, prefix: String
  ) async throws -> [(key: SettingKey, value: String)] {
    contents.withLock {
      $0.records.settings.filter {
        $0.key.kind == kind && $0.key.scope == scope && $0.key.name.utf8.starts(with: prefix.utf8)
      }
      .map { ($0.key, $0.value) }
    }.sorted { $0.key.name.utf8.lexicographicallyPrecedes($1.key.name.utf8) }
  }

  public func auditLog(limit: Int, offset: Int) async throws -> [AuditEntry] {
    contents.withLock { Array($0.records.audit.reversed().dropFirst(max(0, offset)).prefix(max(0, limit))) }
  }

  public func ledger(of member: MemberID, limit: Int, offset: Int) async throws -> [LedgerEntry] {
    contents.withLock {
      Array(
        $0.records.ledger.lazy.reversed().filter { $0.member == member }.dropFirst(max(0, offset)).prefix(max(0, limit))
      )
    }
  }

  public func activity(of member: MemberID) async throws -> (first: Timestamp, last: Timestamp)? {
    contents.withLock { contents in
      var first: Timestamp?
      var last: Timestamp?
      for entry in contents.records.ledger where entry.member == member {
        if first.map({ entry.at < $0 }) ?? true { first = entry.at }
        if last.map({ $0 < entry.at }) ?? true { last = entry.at }
      }
      guard let first, let last else { return nil }
      return (first, last)
    }
  }

  public func standings(_ query: StandingsQuery) async throws -> StandingsPage {
    let board = contents.withLock {
      $0.records.standings(query.period, currency: query.currency, scope: query.scope)
    }
    return StandingsPage(ranking: board.map { ($0.member.user, $0.amount) }, query)
  }

  public func memberPage(
    scope: String?, prefix: String, limit: Int, offset: Int
  ) async throws -> (total: Int, members: [(MemberID, MemberState)]) {
    let matching = try await members(inScope: scope).filter { $0.0.user.utf8.starts(with: prefix.utf8) }
    return (matching.count, Array(matching.dropFirst(max(0, offset)).prefix(max(0, limit))))
  }

  public func badgeHolders(_ badge: String, scope: String?, limit: Int, offset: Int) async throws -> [BadgeAward] {
    contents.withLock { contents in
      Array(
        contents.records.badges.filter { $0.badge == badge && (scope == nil || $0.member.scope == scope) }
          .enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
          .dropFirst(max(0, offset)).prefix(max(0, limit)))
    }
  }

  public func outbox(after sequence: Int64, limit: Int) async throws -> [OutboxEvent] {
    contents.withLock { Array($0.records.outbox.dropFirst(Int(clamping: max(0, sequence))).prefix(max(0, limit))) }
  }

  public func outboxEnd() async throws -> Int64 {
    contents.withLock { Int64($0.records.outbox.count) }
  }
}
