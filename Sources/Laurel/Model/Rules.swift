public import LaurelDiagnostics
public import LaurelExpression

/// What one action type does: its rules, in order.
public struct ActionDeclaration: Sendable {
  public var type: Name
  public var rules: [RuleDeclaration]
  public init(type: Name, rules: [RuleDeclaration]) {
    self.type = type
    self.rules = rules
  }
}

/// An amount of a currency: a literal or an expression (`event.minutes * 2`).
public struct AmountDeclaration: Sendable {
  public var currency: Name
  public var amount: ExpressionSource
  /// `deduct:` rather than `award:`: the amount is taken, not given.
  public var isDeduction: Bool
  public init(currency: Name, amount: ExpressionSource, isDeduction: Bool = false) {
    self.currency = currency
    self.amount = amount
    self.isDeduction = isDeduction
  }
}

/// A counter a rule increments, by 1 unless an amount is given.
public struct CountDeclaration: Sendable {
  public var counter: Name
  public var amount: ExpressionSource?
  public init(counter: Name, amount: ExpressionSource? = nil) {
    self.counter = counter
    self.amount = amount
  }
}

/// A progress state a rule sets (`modules: InProgress`).
public struct ProgressUpdateDeclaration: Sendable {
  public var progress: Name
  public var state: Name
  public init(progress: Name, state: Name) {
    self.progress = progress
    self.state = state
  }
}

/// One rule of an action type.
public struct RuleDeclaration: Sendable {
  /// Stable id used in ledgers and reports (defaults to the action type, or
  /// `type#n` when an action has several rules).
  public var id: Name
  public var location: SourceLocation?
  public var when: ExpressionSource?
  /// Currency amounts awarded (positive) or deducted (negative).
  public var amounts: [AmountDeclaration] = []
  /// Who receives the effects (default: the actor, `event.user`).
  public var recipient: ExpressionSource?
  /// Pays only once per member and key value.
  public var oncePer: ExpressionSource?
  /// At most once per member within this span.
  public var cooldown: CELDuration?
  public var counts: [CountDeclaration] = []
  public var progress: [ProgressUpdateDeclaration] = []
  /// Effective dates: the rule applies to actions at or after `from` and before `until`.
  public var from: Timestamp?
  public var until: Timestamp?
  public init(id: Name) { self.id = id }
}

/// A reward on a member's first qualifying action in each window (a daily bonus).
public struct BonusDeclaration: Sendable {
  public var name: Name
  public var every: TimeWindow = .day
  public var amounts: [AmountDeclaration] = []
  /// Action types that qualify; empty means every action.
  public var on: [Name] = []
  public init(name: Name) { self.name = name }
}

/// A limit on how much of a currency a member can earn per window.
public struct CapDeclaration: Sendable {
  public var name: Name
  public var currency: Name
  public var max: Int64
  public var per: TimeWindow
  /// Rules (or bonus names) the cap covers; empty means every rule paying the currency.
  public var rules: [Name] = []
  /// Rules the cap never limits.
  public var exempt: [Name] = []
  /// Whether deductions by the cap's rules free up room in the window (the
  /// cap then limits net earnings, as Stack Exchange's daily vote cap does).
  public var net = false
  public init(name: Name, currency: Name, max: Int64, per: TimeWindow) {
    self.name = name
    self.currency = currency
    self.max = max
    self.per = per
  }
}
