public import LaurelDiagnostics
public import LaurelExpression

/// A name as written in a rule file, with where it was written.
public struct Name: Hashable, Sendable, CustomStringConvertible {
  public var text: String
  public var location: SourceLocation?
  public init(_ text: String, at location: SourceLocation? = nil) {
    self.text = text
    self.location = location
  }
  public var description: String { text }
  public static func == (a: Name, b: Name) -> Bool { a.text == b.text }
  public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

/// A gamification scheme as declared in rule files: the typed model between
/// the YAML loader and the compiler. Every name and expression keeps its
/// source location so the compiler's diagnostics point into the files.
///
/// Hosts can also build a `RuleBook` in code and compile it with
/// ``RuleCompiler``.
public struct RuleBook: Sendable {
  public var scheme: Name
  public var summary: String?
  /// Expression giving a member's scope from an action (`event.community`);
  /// nil for a global scheme where a member is just a user.
  public var scope: ExpressionSource?
  /// Time zone for calendar windows (days, weeks, months): `UTC`, `+02:00` or an IANA name.
  public var timeZone = Name("UTC")
  public var fields: [FieldDeclaration] = []
  /// Named conditions and values (`let:`), usable by name in every later expression.
  public var namedValues: [NamedValueDeclaration] = []
  /// Things actions are about whose state is kept by the thing itself (`post: event.post`).
  public var objects: [ObjectDeclaration] = []
  public var traits: [TraitDeclaration] = []
  public var currencies: [CurrencyDeclaration] = []
  public var counters: [CounterDeclaration] = []
  public var progress: [ProgressDeclaration] = []
  public var streaks: [StreakDeclaration] = []
  public var actions: [ActionDeclaration] = []
  public var bonuses: [BonusDeclaration] = []
  public var caps: [CapDeclaration] = []
  public var ladders: [LadderDeclaration] = []
  public var badges: [BadgeDeclaration] = []
  public var gates: [GateDeclaration] = []
  public var leaderboards: [LeaderboardDeclaration] = []

  public init(scheme: Name) { self.scheme = scheme }
}

/// An attribute actions carry (`minutes: int`), available as `event.<name>`.
public struct FieldDeclaration: Sendable {
  public var name: Name
  public var type: ExprType
  public init(name: Name, type: ExprType) {
    self.name = name
    self.type = type
  }
}

/// A condition or value written once and used by name (`self_accept: event.owner == event.user`).
/// It may read what the expressions using it may read; one that reads `member.*`
/// is available in conditions and amounts, not in `to` or keys.
public struct NamedValueDeclaration: Sendable {
  public var name: Name
  public var expression: ExpressionSource
  public init(name: Name, expression: ExpressionSource) {
    self.name = name
    self.expression = expression
  }
}

/// Something actions are about, named by an expression over the action
/// (`post: event.post`), whose counters (``CounterDeclaration/of``) are kept
/// by the object itself, whoever the action's members are: a post's score
/// stays with the post when its owner changes. Read as `post.counters.<name>`.
public struct ObjectDeclaration: Sendable {
  public var name: Name
  /// The object's key, from the action alone (`event.post`).
  public var key: ExpressionSource
  public init(name: Name, key: ExpressionSource) {
    self.name = name
    self.key = key
  }
}

/// A member trait the host sets (`plan: Free | Paid`), as `member.traits.<name>`.
public struct TraitDeclaration: Sendable {
  public var name: Name
  /// Allowed values; empty means any string.
  public var values: [Name] = []
  public var defaultValue: Name?
  public init(name: Name) { self.name = name }
}

/// A balance every member has (`xp`, `points`).
public struct CurrencyDeclaration: Sendable {
  public var name: Name
  public var start: Int64 = 0
  /// The lowest the balance may go; deductions stop there. nil = no floor.
  public var floor: Int64?
  public init(name: Name) { self.name = name }
}

/// A calendar window: counters, caps, bonuses and streaks reset at its start.
public enum TimeWindow: String, Sendable, CaseIterable {
  case day
  case week
  case month
}

/// A per-member count rules add to (`module_messages` per module).
public struct CounterDeclaration: Sendable {
  public var name: Name
  /// Key expression (`event.module`): one count per key.
  public var key: ExpressionSource?
  /// Resets at the start of each window when set.
  public var window: TimeWindow?
  /// Adds every applied amount of this currency automatically, awards and deductions (net).
  public var tracks: Name?
  /// Adds this currency's earnings only: applied awards, after caps and floors
  /// ("reputation earned today", which a downvote does not lower).
  public var earned: Name?
  /// The object (``ObjectDeclaration``) that keeps this counter; nil for a member's counter.
  public var of: Name?
  public init(name: Name) { self.name = name }
}

/// A per-key state machine (`modules`: NotStarted / InProgress / Completed).
public struct ProgressDeclaration: Sendable {
  public var name: Name
  public var key: ExpressionSource
  /// The states in order; the first is every key's initial state.
  public var states: [Name]
  public init(name: Name, key: ExpressionSource, states: [Name]) {
    self.name = name
    self.key = key
    self.states = states
  }
}

/// Consecutive windows (days) in which a member acted.
public struct StreakDeclaration: Sendable {
  public var name: Name
  public var every: TimeWindow = .day
  /// Action types that count; empty means every action.
  public var on: [Name] = []
  public init(name: Name) { self.name = name }
}
