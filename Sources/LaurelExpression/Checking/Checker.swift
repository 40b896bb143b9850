import LaurelDiagnostics

/// What a name in an expression refers to, decided at check time.
enum Reference: Sendable {
  case variable(Declarations.Variable)
  case local(slot: Int)
  case undeclared(String)
}

/// The checker's findings: a type per node, what names refer to, and problems.
struct CheckedExpression: Sendable {
  var types: [ExprType]
  var references: [Int: Reference] = [:]
  var localSlots: [Int: Int] = [:]
  var localCount = 0
  var problems: [(code: Diagnostic.Code, message: String, range: SourceRange)] = []
}

/// Binds names and infers types. In strict mode every unknown name, unknown
/// function and operator applied to the wrong types is a problem; in lenient
/// mode (CEL's "disable_check") they become run-time errors instead.
struct Checker {
  let declarations: Declarations
  let strict: Bool
  let source: [Unicode.Scalar]
  var result: CheckedExpression
  private var scopes: [(name: String, slot: Int, type: ExprType)] = []

  enum Binding {
    case value(ExprType)
    case namespace(String)
  }

  init(declarations: Declarations, strict: Bool, source: String, nodeCount: Int) {
    self.declarations = declarations
    self.strict = strict
    self.source = Array(source.unicodeScalars)
    result = CheckedExpression(types: Array(repeating: .dyn, count: nodeCount))
  }

  func text(_ e: Expr) -> String {
    let r = e.range
    guard r.start >= 0, r.end <= source.count else { return "" }
    return String(String.UnicodeScalarView(source[r.start..<r.end]))
  }

  mutating func problem(_ message: String, _ range: SourceRange, code: Diagnostic.Code = .typeMismatch) {
    if strict { result.problems.append((code, message, range)) }
  }

  @discardableResult
  mutating func check(_ e: Expr) -> ExprType {
    switch bind(e) {
    case .value(let t):
      result.types[e.id] = t
      return t
    case .namespace(let path):
      let children = declarations.namespaces[path] ?? []
      problem("'\(path)' is a group of names, not a value; use one of: \(children.joined(separator: ", "))", e.range)
      result.references[e.id] = .undeclared("'\(path)' is not a value")
      return .dyn
    }
  }

  private func local(_ name: String) -> (slot: Int, type: ExprType)? {
    scopes.last { $0.name == name }.map { ($0.slot, $0.type) }
  }

  /// The dotted name of an ident/select chain whose root is not a local variable.
  private func qualifiedName(_ e: Expr) -> String? {
    switch e.kind {
    case .ident(let name): return local(name) == nil ? name : nil
    case .select(let operand, let field, _, let testOnly):
      guard !testOnly, let prefix = qualifiedName(operand) else { return nil }
      return prefix + "." + field
    default: return nil
    }
  }

  private mutating func bind(_ e: Expr) -> Binding {
    switch e.kind {
    case .ident(let name):
      if let l = local(name) {
        result.references[e.id] = .local(slot: l.slot)
        return .value(l.type)
      }
      if let v = declarations.variables[name] {
        result.references[e.id] = .variable(v)
        return .value(v.type)
      }
      if declarations.isNamespace(name) { return .namespace(name) }
      let candidates = (declarations.namespaces[""] ?? []) + scopes.map(\.name)
      problem("unknown name '\(name)'\(Suggestions.didYouMean(name, in: candidates))", e.range, code: .unknownName)
      result.references[e.id] = .undeclared("undeclared reference to '\(name)'")
      return .value(.dyn)

    case .select(let operand, let field, let fieldRange, let testOnly):
      if let base = qualifiedName(operand), let v = declarations.variables[base + "." + field] {
        result.references[e.id] = .variable(v)
        return .value(testOnly ? .bool : v.type)
      }
      switch bind(operand) {
      case .namespace(let path):
        let child = path + "." + field
        if declarations.isNamespace(child), !testOnly { return .namespace(child) }
        let known = declarations.namespaces[path] ?? []
        problem(
          "unknown field '\(field)' on '\(path)'\(Suggestions.didYouMean(field, in: known))", fieldRange,
          code: .unknownField)
        result.references[e.id] = .undeclared("no such key: '\(field)'")
        return .value(testOnly ? .bool : .dyn)
      case .value(let t):
        result.types[operand.id] = t
        let fieldType: ExprType
        switch t {
        case .map(let k, let v) where k == .string || k == .dyn: fieldType = v
        case .dyn: fieldType = .dyn
        default:
          problem("type '\(t)' has no fields, so '.\(field)' cannot be selected", fieldRange)
          fieldType = .dyn
        }
        return .value(testOnly ? .bool : fieldType)
      }

    case .literal(let v): return .value(v.type)

    case .list(let elements):
      var elementType: ExprType?
      for element in elements {
        let t = check(element)
        elementType = elementType.map { $0.joined(with: t) } ?? t
      }
      return .value(.list(elementType ?? .dyn))

    case .map(let entries):
      var keyType: ExprType?
      var valueType: ExprType?
      for (key, value) in entries {
        let k = check(key)
        if ![.bool, .int, .uint, .string, .dyn].contains(k) {
          problem("map keys must be int, uint, bool or string, not \(k)", key.range)
        }
        let v = check(value)
        keyType = keyType.map { $0.joined(with: k) } ?? k
        valueType = valueType.map { $0.joined(with: v) } ?? v
      }
      return .value(.map(keyType ?? .dyn, valueType ?? .dyn))

    case .index(let operand, let key):
      let t = check(operand)
      let k = check(key)
      switch t {
      case .list(let element):
        if !(k == .int || k == .uint || k == .dyn) { problem("a list index must be an int, not \(k)", key.range) }
        return .value(element)
      case .map(let kt, let v):
        if !kt.isCompatible(with: k) && !(kt.isNumeric && k.isNumeric) {
          problem("this map's keys are \(kt), not \(k)", key.range)
        }
        return .value(v)
      case .dyn: return .value(.dyn)
      default:
        problem("type '\(t)' cannot be indexed", e.range)
        return .value(.dyn)
      }

    case .unary(let op, let operand):
      let t = check(operand)
      switch (op, t) {
      case (.not, .bool), (.not, .dyn): return .value(.bool)
      case (.negate, .int), (.negate, .double), (.negate, .dyn): return .value(t)
      default:
        problem("operator '\(op.rawValue)' does not apply to \(t)", e.range)
        return .value(op == .not ? .bool : .dyn)
      }

    case .and(let l, let r), .or(let l, let r):
      let op = if case .and = e.kind { "&&" } else { "||" }
      for side in [l, r] {
        let t = check(side)
        if t != .bool && t != .dyn {
          problem("'\(op)' needs true/false on both sides, but \(text(side)) is \(t)", side.range)
        }
      }
      return .value(.bool)

    case .conditional(let c, let a, let b):
      let ct = check(c)
      if ct != .bool && ct != .dyn { problem("the condition before '?' must be true/false, not \(ct)", c.range) }
      return .value(check(a).joined(with: check(b)))

    case .binary(let op, let l, let r):
      let lt = check(l)
      let rt = check(r)
      switch Operators.resultType(op, lt, rt) {
      case .some(let t): return .value(t)
      case .none:
        problem(Operators.mismatchMessage(op, lt, rt, left: text(l), right: text(r)), e.range)
        return .value(op == .in || op == .equal || op == .notEqual || op.isComparison ? .bool : .dyn)
      }

    case .comprehension(let c):
      let rangeType = check(c.range)
      let variableType: ExprType
      switch rangeType {
      case .list(let element): variableType = element
      case .map(let key, _): variableType = key
      case .dyn: variableType = .dyn
      default:
        problem("\(c.macro.rawValue)() needs a list or a map, not \(rangeType)", c.range.range)
        variableType = .dyn
      }
      let slot = scopes.count
      result.localSlots[e.id] = slot
      result.localCount = max(result.localCount, slot + 1)
      scopes.append((c.variable, slot, variableType))
      defer { scopes.removeLast() }
      if let predicate = c.predicate {
        let pt = check(predicate)
        if pt != .bool && pt != .dyn {
          problem("the condition of \(c.macro.rawValue)() must be true/false, not \(pt)", predicate.range)
        }
      }
      let transformType = c.transform.map { check($0) }
      switch c.macro {
      case .all, .exists, .existsOne: return .value(.bool)
      case .map: return .value(.list(transformType ?? .dyn))
      case .filter: return .value(.list(variableType))
      }

    case .call(let function, let target, let args, let nameRange):
      let targetType = target.map { check($0) }
      let argTypes = args.map { check($0) }
      switch Functions.resultType(function, target: targetType, args: argTypes) {
      case .ok(let t): return .value(t)
      case .unknown:
        let names = target == nil ? Functions.globalNames : Functions.receiverNames
        let hint =
          ["min": "; did you mean 'math.least'?", "max": "; did you mean 'math.greatest'?"][function]
          ?? Suggestions.didYouMean(function, in: names)
        problem("unknown function '\(function)'\(hint)", nameRange, code: .unknownFunction)
        result.references[e.id] = .undeclared("unknown function '\(function)'")
        return .value(.dyn)
      case .mismatch(let message):
        problem(message, e.range)
        return .value(.dyn)
      }
    }
  }
}
