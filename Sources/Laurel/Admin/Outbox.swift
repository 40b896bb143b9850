public import LaurelExpression

/// A member event on its way to webhooks and event streams.
///
/// An ``AdminStore`` keeps an outbox: events are appended in the same
/// transaction as the change they report (``AdminTransaction/enqueue(_:)``),
/// so an event exists exactly when its change was committed, and consumers
/// read them in order (``AdminStore/outbox(after:limit:)``), remembering how
/// far they got. A consumer that fails delivers again from its position: the
/// same event carries the same ``sequence``, which receivers use to drop
/// duplicates.
///
/// Types and fields follow seed 004's domain events:
///
/// | type | data |
/// | --- | --- |
/// | `PointsAwarded`, `PointsDeducted` | `currency`, `points`, `new_total`, `source` (the rule) |
/// | `MemberLeveledUp`, `MemberLeveledDown` | `ladder`, `old_level`, `new_level`, `new_level_name` |
/// | `BadgeEarned` | `badge`, `key` |
public struct OutboxEvent: Sendable, Equatable {
  /// The event's position in the outbox, from 1; 0 before the store assigns it.
  public var sequence: Int64
  public var type: String
  /// The member's scope (a community); nil in a global scheme.
  public var scope: String?
  public var user: String
  /// When the change happened (the action's time, or the admin change's).
  public var at: Timestamp
  /// The type's fields, a JSON object.
  public var data: String

  public init(sequence: Int64 = 0, type: String, scope: String?, user: String, at: Timestamp, data: String) {
    self.sequence = sequence
    self.type = type
    self.scope = scope
    self.user = user
    self.at = at
    self.data = data
  }

  /// The event as one JSON object, the body of a webhook delivery and the
  /// data of a server-sent event:
  /// `{"id":"42","type":"PointsAwarded","occurred_at":"…","community_id":"c1","member_id":"ann","data":{…}}`.
  public var json: String {
    "{\"id\":\"\(sequence)\",\"type\":\(JSON.quote(type)),\"occurred_at\":\(JSON.quote(at.description)),"
      + "\"community_id\":\(scope.map(JSON.quote) ?? "null"),\"member_id\":\(JSON.quote(user)),\"data\":\(data)}"
  }

  /// The outbox events of member events, in order (progress changes are
  /// not published). `at` dates tier changes, which carry no time of their own.
  public static func events(_ memberEvents: [MemberEvent], at time: Timestamp) -> [OutboxEvent] {
    memberEvents.compactMap { event in
      switch event {
      case .pointsAwarded(let entry), .pointsDeducted(let entry):
        let data =
          "{\"currency\":\(JSON.quote(entry.currency)),\"points\":\(abs(entry.amount)),\"new_total\":\(entry.balance),"
          + "\"source\":\(JSON.quote(entry.rule)),\"action_id\":\(JSON.quote(entry.actionID))}"
        return OutboxEvent(
          type: entry.amount > 0 ? "PointsAwarded" : "PointsDeducted", scope: entry.member.scope,
          user: entry.member.user, at: entry.at, data: data)
      case .leveledUp(let change), .leveledDown(let change):
        let data =
          "{\"ladder\":\(JSON.quote(change.ladder)),\"old_level\":\(change.from),\"new_level\":\(change.to),"
          + "\"new_level_name\":\(JSON.quote(change.name))}"
        return OutboxEvent(
          type: change.to > change.from ? "MemberLeveledUp" : "MemberLeveledDown", scope: change.member.scope,
          user: change.member.user, at: time, data: data)
      case .badgeEarned(let award):
        let data = "{\"badge\":\(JSON.quote(award.badge)),\"key\":\(award.key.map(JSON.quote) ?? "null")}"
        return OutboxEvent(
          type: "BadgeEarned", scope: award.member.scope, user: award.member.user, at: award.at, data: data)
      case .progressChanged:
        return nil
      }
    }
  }

  /// The outbox events of applied actions' outcomes, in order.
  public static func events(_ outcomes: [Outcome]) -> [OutboxEvent] {
    outcomes.flatMap { $0.status == .applied ? events($0.memberEvents, at: $0.at) : [] }
  }
}

extension Engine where S: AdminStore {
  /// Applies actions in one transaction, like ``applyBatch(_:)``, and appends
  /// the member events of those applied to the store's outbox in the same
  /// transaction (see ``OutboxEvent``), and adds them to the store's running
  /// counts: what `laurel serve` ingests.
  public func applyPublishing(_ actions: [PreparedAction]) async throws -> [Outcome] {
    try await applyBatch(actions) { tx, outcomes in
      let events = OutboxEvent.events(outcomes)
      if !events.isEmpty { try tx.enqueue(events) }
      try tx.add(EventCounts(outcomes))
    }
  }
}
