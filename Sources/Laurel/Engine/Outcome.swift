public import LaurelExpression

/// What applying one action did.
public struct Outcome: Sendable {
  public enum Status: Sendable, Equatable {
    case applied
    /// The action id was seen before: nothing changed.
    case duplicate
    /// No rule handles the action type: nothing changed.
    case ignored
    /// Malformed or not evaluable: nothing changed. The error's kind says
    /// why (``ActionError/Kind``), its message says it in words.
    case rejected(ActionError)
  }

  public var actionID = ""
  public var status = Status.applied
  /// Every currency amount applied, after caps and floors (zero amounts are omitted).
  public var ledger: [LedgerEntry] {
    guard let names else { return [] }
    return records.map {
      var entry = LedgerEntry(
        member: $0.member, currency: names.currencies[$0.currency], amount: $0.amount, balance: $0.balance,
        rule: names.rules[$0.rule], actionID: actionID, at: at)
      entry.memberHandle = $0.handle
      return entry
    }
  }
  /// The ledger as the engine writes it: indices instead of names, so that an
  /// action's entries cost no string copies (``ledger`` names them on demand).
  var records: [LedgerRecord] = []
  /// The action's time (the time of every ledger entry).
  var at = (try? Timestamp(seconds: 0))!
  /// Currency and rule names for ``ledger``, shared with the compiled rules.
  var names: LedgerNames?
  public var counterChanges: [CounterChange] = []
  public var tierChanges: [TierChange] = []
  public var badges: [BadgeAward] = []
  public var progressChanges: [ProgressChange] = []
  /// Whether the engine lists what changed (ledger, counters, tiers, badges,
  /// progress), or only counts it in ``tally``: bulk replays that report
  /// totals turn it off, so no entry is built per action.
  var itemized = true
  /// What the action did, counted (kept whether itemized or not).
  var tally = Tally()

  /// Counts of an action's effects, as member events count them.
  struct Tally {
    var pointsAwarded = 0
    var pointsDeducted = 0
    /// Tier steps upwards (a jump from 1 to 3 counts 2).
    var leveledUp = 0
    var leveledDown = 0
    var badgesEarned = 0
  }

  public init() {}

  mutating func reset(_ id: String) {
    actionID = id
    status = .applied
    tally = Tally()
    records.clear()
    counterChanges.clear()
    tierChanges.clear()
    badges.clear()
    progressChanges.clear()
  }

  /// The domain events to publish, in order: points, tiers, badges.
  public var memberEvents: [MemberEvent] {
    ledger.map { $0.amount > 0 ? .pointsAwarded($0) : .pointsDeducted($0) }
      + tierChanges.map { $0.to > $0.from ? .leveledUp($0) : .leveledDown($0) }
      + badges.map { .badgeEarned($0) }
      + progressChanges.map { .progressChanged($0) }
  }
}

/// One ledger entry in the engine's compact form (see ``Outcome/records``).
struct LedgerRecord: Sendable {
  var member: MemberID
  /// The member's handle in its store.
  var handle: Int
  var currency: Int
  /// Index into ``CompiledRules/ruleNames`` (bonuses after rules).
  var rule: Int
  var amount: Int64
  var balance: Int64
}

/// The names a ``LedgerRecord`` refers to by index.
final class LedgerNames: Sendable {
  let currencies: [String]
  let rules: [String]
  init(currencies: [String], rules: [String]) {
    self.currencies = currencies
    self.rules = rules
  }
}

/// An amount applied to a member's balance.
public struct LedgerEntry: Sendable, Equatable {
  public init(
    member: MemberID, currency: String, amount: Int64, balance: Int64, rule: String, actionID: String, at: Timestamp
  ) {
    self.member = member
    self.currency = currency
    self.amount = amount
    self.balance = balance
    self.rule = rule
    self.actionID = actionID
    self.at = at
  }

  public var member: MemberID
  public var currency: String
  public var amount: Int64
  /// The balance after this entry.
  public var balance: Int64
  /// The rule (or bonus) that produced it.
  public var rule: String
  public var actionID: String
  public var at: Timestamp
  /// The member's handle in the transaction that applied the entry; -1 when
  /// unknown. Bookkeeping for store adapters, left out of equality.
  package var memberHandle = -1

  public static func == (a: LedgerEntry, b: LedgerEntry) -> Bool {
    a.member == b.member && a.currency == b.currency && a.amount == b.amount && a.balance == b.balance
      && a.rule == b.rule && a.actionID == b.actionID && a.at == b.at
  }
}

public struct CounterChange: Sendable, Equatable {
  public init(member: MemberID, counter: String, key: String?, value: Int64) {
    self.member = member
    self.counter = counter
    self.key = key
    self.value = value
  }

  public var member: MemberID
  public var counter: String
  public var key: String?
  public var value: Int64
}

/// A member moved on a ladder (`from`/`to` are 1-based ranks).
public struct TierChange: Sendable, Equatable {
  public init(member: MemberID, ladder: String, from: Int, to: Int, name: String) {
    self.member = member
    self.ladder = ladder
    self.from = from
    self.to = to
    self.name = name
  }

  public var member: MemberID
  public var ladder: String
  public var from: Int
  public var to: Int
  public var name: String
  /// Steps taken upwards (a jump from 1 to 3 is 2); 0 for a move down.
  public var steps: Int { max(0, to - from) }
}

public struct BadgeAward: Sendable, Equatable {
  public init(member: MemberID, badge: String, key: String?, at: Timestamp) {
    self.member = member
    self.badge = badge
    self.key = key
    self.at = at
  }

  public var member: MemberID
  public var badge: String
  public var key: String?
  public var at: Timestamp
}

public struct ProgressChange: Sendable, Equatable {
  public init(member: MemberID, progress: String, key: String, state: String) {
    self.member = member
    self.progress = progress
    self.key = key
    self.state = state
  }

  public var member: MemberID
  public var progress: String
  public var key: String
  public var state: String
}

/// Domain events for hosts to publish.
public enum MemberEvent: Sendable, Equatable {
  case pointsAwarded(LedgerEntry)
  case pointsDeducted(LedgerEntry)
  case leveledUp(TierChange)
  case leveledDown(TierChange)
  case badgeEarned(BadgeAward)
  case progressChanged(ProgressChange)
}
