import Foundation
import LaurelExpression
@_spi(StoreAdapter) import Laurel
import NIOCore
import PostgresNIO

/// The two statements of a batch: `laurel_read` and `laurel_write`.
extension PostgresStore {
  /// Reads everything `request` names in one query and adds it to `reads`.
  func read(_ request: ReadRequest, into reads: inout BatchReads) async throws {
    let known = cache.entries(request.members)
    let mScopes = request.members.map { PostgresSchema.scopeKey($0.id.scope) }
    let mUsers = request.members.map(\.id.user)
    let mKnown = request.members.map { known[$0]?.version ?? -1 }
    let oScopes = request.once.map { PostgresSchema.scopeKey($0.member.scope) }
    let oUsers = request.once.map(\.member.user)
    let oRules = request.once.map { Int32(clamping: $0.rule) }
    let oKeys = request.once.map(\.key)
    let tScopes = request.tierScopes.map(PostgresSchema.scopeKey)
    let sKinds = request.settings.map(\.kind.rawValue)
    let sScopes = request.settings.map { PostgresSchema.scopeKey($0.scope) }
    let sNames = request.settings.map(\.name)
    let lScopes = request.scopes.map(PostgresSchema.scopeKey)
    let query: PostgresQuery = """
      SELECT tag, scope_key, user_id, version, state, name, value FROM laurel_read(\(mScopes), \(mUsers), \(mKnown), \
      \(request.actionIDs), \(oScopes), \(oUsers), \(oRules), \(oKeys), \(tScopes), \(sKinds), \(sScopes), \(sNames), \
      \(lScopes))
      """
    // Absent unless the query finds them.
    for key in request.members where reads.members[key] == nil { reads.members[key] = .some(nil) }
    reads.askedActions.formUnion(request.actionIDs)
    reads.askedOnce.formUnion(request.once)
    for scope in request.tierScopes { reads.tiers[scope] = [] }
    for key in request.settings { reads.settings[key] = .some(nil) }
    for scope in request.scopes { reads.scopes[scope] = [] }
    let layout = stateLayout
    let rows = try await fetch(query, as: (Int32, String?, String?, Int64?, ByteBuffer?, String?, String?).self)
    for (tag, scopeKey, user, version, state, name, value) in rows {
      let scope = scopeKey.map(PostgresSchema.scope)
      switch tag {
      case 0, 5:
        let key = MemberKey(MemberID(scope: scope ?? nil, user: user ?? ""))
        let version = version ?? 0
        let decoded: MemberState
        if let state {
          decoded = try Self.decodeState(state, member: key.id, layout: layout)
        } else if let cached = known[key], cached.version == version {
          decoded = cached.state
        } else {
          throw WriteError(description: "\(configuration): the server sent no state for member \(key.id)")
        }
        reads.members[key] = (version, decoded)
        if tag == 5 { reads.scopes[scope ?? nil, default: []].append(key) }
      case 1:
        if let user { reads.loggedActions.insert(user) }
      case 2:
        reads.claimedOnce.insert(
          BatchFootprint.OnceKey(
            member: MemberID(scope: scope ?? nil, user: user ?? ""), rule: Int(version ?? 0), key: name ?? ""))
      case 3:
        reads.tiers[scope ?? nil, default: []].append((name ?? "", value ?? ""))
      default:
        if let kind = user.flatMap(SettingKey.Kind.init(rawValue:)) {
          reads.settings[SettingKey(kind, scope: scope ?? nil, name: name ?? "")] = .some(value)
        }
      }
    }
    cache.update { entries in
      for (key, read) in reads.members {
        if let (version, state) = read, entries[key]?.version != version { entries[key] = (version, state) }
      }
    }
  }

  /// A stored state, checked against the layout of the store's rules when one is known.
  static func decodeState(_ buffer: ByteBuffer, member: MemberID, layout: StateLayout?) throws -> MemberState {
    let state: MemberState
    do { state = try buffer.withUnsafeReadableBytes { try MemberState(binary: $0) } } catch {
      throw OpenError(kind: .damaged, description: "the stored state of member \(member) is damaged: \(error)")
    }
    if let layout, !layout.admits(state) {
      throw OpenError(
        kind: .damaged,
        description:
          "the stored state of member \(member) does not match the store's rules (\(layout.scheme)); it was written under other rules"
      )
    }
    return state
  }

  /// Writes a transaction's effects in one statement.
  func write(_ tx: PostgresTransaction) async throws { try await execute(try writeStatement(tx)) }

  /// The `laurel_write` call of a transaction's effects.
  func writeStatement(_ tx: PostgresTransaction) throws -> PostgresQuery {
    var cScopes: [String] = [], cUsers: [String] = [], cVersions: [Int64] = []
    var uScopes: [String] = [], uUsers: [String] = [], uStates: [ByteBuffer] = []
    var nScopes: [String] = [], nUsers: [String] = [], nStates: [ByteBuffer] = []
    var bytes: [UInt8] = []
    func encoded(_ state: MemberState) -> ByteBuffer {
      bytes.removeAll(keepingCapacity: true)
      state.encode(into: &bytes)
      return ByteBuffer(bytes: bytes)
    }
    for h in tx.keys.indices {
      let scope = PostgresSchema.scopeKey(tx.keys[h].id.scope)
      let user = tx.keys[h].id.user
      if let version = tx.versions[h] {
        cScopes.append(scope)
        cUsers.append(user)
        cVersions.append(version)
        if tx.dirty[h] {
          uScopes.append(scope)
          uUsers.append(user)
          uStates.append(encoded(tx.states[h]))
        }
      } else {
        nScopes.append(scope)
        nUsers.append(user)
        nStates.append(encoded(tx.states[h]))
      }
    }
    let aIDs = tx.actions.map(\.id), aTypes = tx.actions.map(\.type)
    let aAts = tx.actions.map(\.at), aBodies = tx.actions.map(\.body)
    let oScopes = tx.once.map { PostgresSchema.scopeKey(tx.keys[$0.handle].id.scope) }
    let oUsers = tx.once.map { tx.keys[$0.handle].id.user }
    let oRules = tx.once.map { Int32(clamping: $0.rule) }, oKeys = tx.once.map(\.key)
    let lScopes = tx.ledger.map { PostgresSchema.scopeKey(tx.keys[$0.memberHandle].id.scope) }
    let lUsers = tx.ledger.map { tx.keys[$0.memberHandle].id.user }
    let lCurrencies = tx.ledger.map(\.currency), lAmounts = tx.ledger.map(\.amount)
    let lBalances = tx.ledger.map(\.balance), lRules = tx.ledger.map(\.rule)
    let lActions = tx.ledger.map(\.actionID), lAts = tx.ledger.map(\.at.seconds)
    let bScopes = tx.badges.map { PostgresSchema.scopeKey(tx.keys[$0.handle].id.scope) }
    let bUsers = tx.badges.map { tx.keys[$0.handle].id.user }
    let bBadges = tx.badges.map(\.award.badge), bKeys = tx.badges.map { $0.award.key ?? "" }
    let bAts = tx.badges.map(\.award.at.seconds), bActions = tx.badges.map(\.actionID)
    let counts = tx.counts.named.map { Int64($0.value) }
    let admin = try AdminPart(tx).json()
    let query: PostgresQuery = """
      SELECT laurel_write(\(cScopes), \(cUsers), \(cVersions), \(uScopes), \(uUsers), \(uStates), \
      \(nScopes), \(nUsers), \(nStates), \(aIDs), \(aTypes), \(aAts), \(aBodies), \
      \(oScopes), \(oUsers), \(oRules), \(oKeys), \
      \(lScopes), \(lUsers), \(lCurrencies), \(lAmounts), \(lBalances), \(lRules), \(lActions), \(lAts), \
      \(bScopes), \(bUsers), \(bBadges), \(bKeys), \(bAts), \(bActions), \
      \(tx.rulesVersion)::bigint, \(counts), \(admin)::jsonb)
      """
    return query
  }
}

/// The admin part of a write, as the JSON `laurel_write` takes: advisory
/// locks, settings and tier settings that must be unchanged, scope sizes,
/// settings written, badges removed, audit entries and outbox events.
struct AdminPart: Encodable {
  struct Lock: Encodable { var lock: String }
  struct Setting: Encodable {
    var scopeKey: String
    var kind: String
    var name: String
    var value: String?
  }
  struct Row: Encodable {
    var name: String
    var value: String
  }
  struct Tiers: Encodable {
    var scopeKey: String
    var rows: [Row]
  }
  struct Scope: Encodable {
    var scopeKey: String
    var count: Int
  }
  struct RemovedBadge: Encodable {
    var scopeKey: String
    var user: String
    var badge: String
    var key: String
  }
  struct Audit: Encodable {
    var at: Int64
    var actor: String
    var operation: String
    var scopeKey: String
    var target: String
    var before: String?
    var after: String?
    var reason: String?
  }
  struct Event: Encodable {
    var type: String
    var scopeKey: String
    var user: String
    var at: Int64
    var atNanos: Int32
    var data: String
  }

  var exclusive: [Lock] = []
  var shared: [Lock] = []
  var expect: [Setting] = []
  var tiers: [Tiers] = []
  var scopes: [Scope] = []
  var settings: [Setting] = []
  var removedBadges: [RemovedBadge] = []
  var audit: [Audit] = []
  var outbox: [Event] = []

  init(_ tx: PostgresTransaction) {
    func lock(_ key: SettingKey) -> String {
      "setting \(key.kind.rawValue) \(PostgresSchema.scopeKey(key.scope)) \(key.name)"
    }
    func tiersLock(_ scope: String?) -> String { "tiers \(PostgresSchema.scopeKey(scope))" }
    var exclusiveLocks: Set<String> = []
    for (key, value) in tx.settingsWritten {
      exclusiveLocks.insert(lock(key))
      if key.kind == .tiers { exclusiveLocks.insert(tiersLock(key.scope)) }
      settings.append(
        Setting(scopeKey: PostgresSchema.scopeKey(key.scope), kind: key.kind.rawValue, name: key.name, value: value))
    }
    var sharedLocks: Set<String> = []
    for (key, value) in tx.settingsRead {
      sharedLocks.insert(lock(key))
      expect.append(
        Setting(scopeKey: PostgresSchema.scopeKey(key.scope), kind: key.kind.rawValue, name: key.name, value: value))
    }
    for (scope, rows) in tx.tiersRead {
      sharedLocks.insert(tiersLock(scope))
      tiers.append(
        Tiers(scopeKey: PostgresSchema.scopeKey(scope), rows: rows.map { Row(name: $0.name, value: $0.value) }))
    }
    exclusive = exclusiveLocks.sorted().map(Lock.init)
    shared = sharedLocks.subtracting(exclusiveLocks).sorted().map(Lock.init)
    scopes = tx.scopesLoaded.map { Scope(scopeKey: PostgresSchema.scopeKey($0.key), count: $0.value) }
    removedBadges = tx.removedBadges.map {
      RemovedBadge(
        scopeKey: PostgresSchema.scopeKey($0.member.scope), user: $0.member.user, badge: $0.badge, key: $0.key)
    }
    audit = tx.audit.map {
      Audit(
        at: $0.at.seconds, actor: $0.actor, operation: $0.operation, scopeKey: PostgresSchema.scopeKey($0.scope),
        target: $0.target, before: $0.before, after: $0.after, reason: $0.reason)
    }
    outbox = tx.outbox.map {
      Event(
        type: $0.type, scopeKey: PostgresSchema.scopeKey($0.scope), user: $0.user, at: $0.at.seconds,
        atNanos: $0.at.nanos, data: $0.data)
    }
  }

  func json() throws -> String {
    let encoder = JSONEncoder()
    // The SQL side reads snake_case keys.
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }
}
