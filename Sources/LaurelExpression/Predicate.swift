/// A condition in a form a caller can decide from values it reads itself,
/// without running the program: presence and truth tests of declared
/// variables, their comparisons with integer literals, equality of two of
/// them, joined by `!`, `&&` and `||` (named values are seen through).
///
/// `has(event.owner) && !(has(event.wiki) && event.wiki)` and
/// `post.counters.accepted >= 1 && post.counters.answer_score >= 10` and
/// `event.kind == "bug"` are predicates; anything with arithmetic, calls or
/// other literals is not.
///
/// A caller decides a predicate with ``decide(_:)``-style logic of its own
/// (over its own indices); a leaf whose value is absent or of another type
/// is undecided, and the caller then runs the program, whose answer (or
/// error) is the reference. CEL's `&&` and `||` give false and true whatever
/// the other side is, errors included, so deciding them from one side is exact.
package indirect enum Predicate: Sendable {
  case constant(Bool)
  /// `has(variable)`.
  case has(String)
  /// A bool variable.
  case isTrue(String)
  /// A variable (or `variable[index]`) compared with an integer literal.
  case compare(Threshold)
  /// `a == b` of two variables.
  case equal(String, String)
  /// `variable == "text"`.
  case equalText(String, String)
  case not(Predicate)
  case and(Predicate, Predicate)
  case or(Predicate, Predicate)

  init?(_ e: Expr, references: [Int: Reference]) {
    func variable(_ e: Expr) -> Declarations.Variable? {
      guard case .variable(let v)? = references[e.id] else { return nil }
      return v
    }
    switch e.kind {
    case .literal(.bool(let b)):
      self = .constant(b)
    case .and(let a, let b):
      guard let a = Predicate(a, references: references), let b = Predicate(b, references: references) else {
        return nil
      }
      self = .and(a, b)
    case .or(let a, let b):
      guard let a = Predicate(a, references: references), let b = Predicate(b, references: references) else {
        return nil
      }
      self = .or(a, b)
    case .unary(.not, let a):
      guard let a = Predicate(a, references: references) else { return nil }
      self = .not(a)
    case .select(_, _, _, testOnly: true):
      guard let v = variable(e), v.reads == nil else { return nil }
      self = .has(v.name)
    case .select, .ident:
      guard let v = variable(e) else { return nil }
      if v.reads != nil {
        // A named value: its own predicate, when its definition is one.
        guard let p = v.predicate else { return nil }
        self = p
      } else {
        guard v.type == .bool else { return nil }
        self = .isTrue(v.name)
      }
    case .binary(let op, let lhs, let rhs):
      if let t = Threshold(e, references: references) {
        self = .compare(t)
      } else if op == .equal || op == .notEqual, let a = variable(lhs), let b = variable(rhs), a.reads == nil,
        b.reads == nil, !Self.isTest(lhs), !Self.isTest(rhs)
      {
        self = op == .equal ? .equal(a.name, b.name) : .not(.equal(a.name, b.name))
      } else if op == .equal || op == .notEqual, let a = variable(lhs), a.reads == nil, !Self.isTest(lhs),
        case .literal(.string(let text)) = rhs.kind
      {
        self = op == .equal ? .equalText(a.name, text) : .not(.equalText(a.name, text))
      } else {
        return nil
      }
    default:
      return nil
    }
  }

  private static func isTest(_ e: Expr) -> Bool {
    if case .select(_, _, _, testOnly: true) = e.kind { return true }
    return false
  }

  /// The comparisons this predicate is the conjunction of (`a >= 1 && b >= 3`),
  /// or nil when it is something else.
  package var comparisons: [Threshold]? {
    switch self {
    case .compare(let t): [t]
    case .and(let a, let b): a.comparisons.flatMap { x in b.comparisons.map { x + $0 } }
    default: nil
    }
  }

  /// The variables the predicate reads.
  package var variables: Set<String> {
    switch self {
    case .constant: []
    case .has(let v), .isTrue(let v): [v]
    case .compare(let t): t.index.map { [t.variable, $0] } ?? [t.variable]
    case .equal(let a, let b): [a, b]
    case .equalText(let v, _): [v]
    case .not(let p): p.variables
    case .and(let a, let b), .or(let a, let b): a.variables.union(b.variables)
    }
  }
}
