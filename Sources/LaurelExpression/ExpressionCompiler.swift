package import LaurelDiagnostics

/// Limits that keep hostile or careless expressions bounded.
public struct ExpressionOptions: Sendable {
  /// Deepest nesting of parentheses, calls and operators the parser accepts.
  public var maxNesting = 64
  /// Longest expression text, in Unicode scalars.
  public var maxLength = 8_192
  /// Iterations (comprehension steps, large concatenations) one evaluation may use.
  public var iterationBudget = 100_000
  public init() {}
}

/// A compiled expression: immutable, `Sendable`, evaluated many times. A class
/// so that holding and passing programs around costs one reference count.
///
/// ```swift
/// var env = Declarations()
/// let minutes = env.declare("event.minutes", .int)
/// let program = try ExpressionCompiler(declarations: env).compile("event.minutes * 2")
/// let activation = Activation(slotCount: env.slotCount)
/// activation.variables[minutes] = .int(30)
/// try program.evaluate(activation)  // .int(60)
/// ```
package final class Program: Sendable {
  package let source: String
  /// The statically inferred result type (`dyn` when unknown until run time).
  package let resultType: ExprType
  let root: Eval
  let localCount: Int
  let iterationBudget: Int
  /// The constant value, when the expression is a literal (lets callers skip evaluation).
  package let constant: Value?
  /// Declared variables the expression reads (for dependency tracking).
  package let references: Set<String>
  /// The variable's name when the whole expression is one declared variable
  /// (`event.author`): callers may then read the value without evaluating.
  package let variable: String?
  /// The expression as a ``Predicate`` when it is one (comparisons of
  /// declared variables with integer literals, presence and truth tests,
  /// `&&`, `||`, `!`): callers may then decide it from values they read
  /// themselves, without evaluating.
  package let predicate: Predicate?

  init(
    source: String, resultType: ExprType, root: @escaping Eval, localCount: Int, iterationBudget: Int,
    constant: Value?, references: Set<String>, variable: String? = nil, predicate: Predicate? = nil
  ) {
    self.source = source
    self.resultType = resultType
    self.root = root
    self.localCount = localCount
    self.iterationBudget = iterationBudget
    self.constant = constant
    self.references = references
    self.variable = variable
    self.predicate = predicate
  }

  /// Evaluates against `activation`. Errors are CEL errors (`no such key`,
  /// `division by zero`, overflow, budget exceeded), never traps.
  @inline(__always)
  package func evaluate(_ activation: Activation) throws(EvalError) -> Value {
    activation.budget = iterationBudget
    if localCount > 0 { activation.ensureLocals(localCount) }
    return try root(activation)
  }

  /// Evaluates as part of another program's evaluation (a named value read by
  /// a condition): shares the caller's iteration budget, and runs its
  /// comprehensions in locals of its own so the caller's loop variables stay
  /// intact.
  package func evaluateNested(_ activation: Activation) throws(EvalError) -> Value {
    guard localCount > 0 else { return try root(activation) }
    let callers = activation.locals
    activation.locals = .allocate(capacity: localCount)
    activation.locals.initialize(repeating: .null)
    defer {
      activation.locals.deinitialize()
      activation.locals.deallocate()
      activation.locals = callers
    }
    return try root(activation)
  }
}

/// Parses, checks and plans expressions against a set of declarations.
package struct ExpressionCompiler: Sendable {
  package var declarations: Declarations
  package var options: ExpressionOptions

  package init(declarations: Declarations, options: ExpressionOptions = ExpressionOptions()) {
    self.declarations = declarations
    self.options = options
  }

  /// Compiles `source`, returning the program or every problem found.
  ///
  /// - Parameters:
  ///   - expecting: the type the caller needs (a condition needs `bool`); a
  ///     statically different type is a diagnostic.
  ///   - checked: false skips static checking (CEL's `disable_check`): unknown
  ///     names and type errors surface at evaluation instead.
  package func compile(
    _ source: ExpressionSource, expecting: ExprType? = nil, checked: Bool = true
  ) -> Result<Program, DiagnosticError> {
    func diagnostic(_ code: Diagnostic.Code, _ message: String, _ range: SourceRange) -> Diagnostic {
      Diagnostic(code: code, message: message, at: source.location(ofOffset: range.start), length: range.length)
    }
    let length = source.text.unicodeScalars.count
    guard length <= options.maxLength else {
      return .failure(
        DiagnosticError([
          diagnostic(
            .tooComplex, "expression is too long (\(length) characters; the limit is \(options.maxLength))",
            SourceRange(start: 0, end: 1))
        ]))
    }
    let parsed: (Expr, nodeCount: Int)
    do {
      parsed = try Parser.parse(source.text, maxDepth: options.maxNesting)
    } catch {
      return .failure(DiagnosticError([diagnostic(.syntax, error.message, error.range)]))
    }
    var checker = Checker(declarations: declarations, strict: checked, source: source.text, nodeCount: parsed.nodeCount)
    let type = checker.check(parsed.0)
    var problems = checker.result.problems.map { diagnostic($0.code, $0.message, $0.range) }
    if checked, let expecting, !type.isCompatible(with: expecting) {
      problems.append(
        diagnostic(.typeMismatch, "expected \(describe(expecting)), but this expression gives \(type)", parsed.0.range))
    }
    if !problems.isEmpty { return .failure(DiagnosticError(problems)) }
    let root = Planner(checked: checker.result).plan(parsed.0)
    var constant: Value?
    if case .literal(let v) = parsed.0.kind { constant = v }
    var references = Set<String>()
    for case .variable(let v) in checker.result.references.values {
      if let reads = v.reads { references.formUnion(reads) } else { references.insert(v.name) }
    }
    var variable: String?
    if case .variable(let v)? = checker.result.references[parsed.0.id], v.reads == nil {
      // `has(event.x)` also resolves to the variable, but gives a bool.
      if case .select(_, _, _, testOnly: true) = parsed.0.kind {} else { variable = v.name }
    }
    return .success(
      Program(
        source: source.text, resultType: type, root: root, localCount: checker.result.localCount,
        iterationBudget: options.iterationBudget, constant: constant, references: references, variable: variable,
        predicate: Predicate(parsed.0, references: checker.result.references)))
  }

  /// Compiles plain text; throws every diagnostic on failure.
  package func compile(_ text: String, expecting: ExprType? = nil) throws(DiagnosticError) -> Program {
    try compile(ExpressionSource(text), expecting: expecting).get()
  }

  private func describe(_ t: ExprType) -> String {
    switch t {
    case .bool: "a condition (true/false)"
    case .int: "a whole number (int)"
    case .string: "a string"
    default: "\(t)"
    }
  }
}

/// `variable OP n` or `variable[index] OP n`, with `n` an integer literal.
package struct Threshold: Sendable {
  /// The declared variable compared (`member.counters.answers`).
  package var variable: String
  /// For `variable[index]`: the declared variable giving the index (`key`).
  package var index: String?
  package var comparison: BinaryOperator
  package var value: Int64

  init?(_ e: Expr, references: [Int: Reference]) {
    guard case .binary(let op, let lhs, let rhs) = e.kind, case .literal(.int(let n)) = rhs.kind,
      [.greaterOrEqual, .greater, .lessOrEqual, .less, .equal, .notEqual].contains(op)
    else { return nil }
    func declared(_ e: Expr) -> Declarations.Variable? {
      guard case .variable(let v)? = references[e.id], v.reads == nil else { return nil }
      if case .select(_, _, _, testOnly: true) = e.kind { return nil }
      return v
    }
    if let v = declared(lhs) {
      variable = v.name
    } else if case .index(let operand, let key) = lhs.kind, let v = declared(operand), let k = declared(key) {
      variable = v.name
      index = k.name
    } else {
      return nil
    }
    comparison = op
    value = n
  }

  /// Whether `x OP value` holds.
  @inline(__always)
  package func holds(_ x: Int64) -> Bool { bound.holds(x) }

  /// The comparison alone, without the names: a plain value, which an
  /// evaluator keeps and copies without retaining any string.
  package var bound: Bound { Bound(comparison: comparison, value: value) }

  /// `OP value`, as in `>= 10`.
  package struct Bound: Sendable {
    package var comparison: BinaryOperator
    package var value: Int64

    /// Whether `x OP value` holds.
    @inline(__always)
    package func holds(_ x: Int64) -> Bool {
      switch comparison {
      case .greaterOrEqual: x >= value
      case .greater: x > value
      case .lessOrEqual: x <= value
      case .less: x < value
      case .equal: x == value
      default: x != value
      }
    }
  }
}
