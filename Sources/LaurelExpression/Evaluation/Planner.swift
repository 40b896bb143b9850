/// A planned expression: a tree of closures with names, slots and overloads
/// resolved ahead of time.
typealias Eval = @Sendable (Activation) throws(EvalError) -> Value

/// Turns a checked AST into closures, specialising operators whose operand
/// types are known statically (an `int + int` closure does no type dispatch
/// beyond one pattern match, and falls back to the generic path if a value
/// turns out to be of another type).
struct Planner {
  let checked: CheckedExpression

  func plan(_ e: Expr) -> Eval {
    if let reference = checked.references[e.id] { return planReference(reference, e) }
    switch e.kind {
    case .literal(let v): return { _ in v }
    case .ident(let name): return { _ throws(EvalError) in throw EvalError("undeclared reference to '\(name)'") }
    case .select(let operand, let field, _, let testOnly):
      let o = plan(operand)
      return { a throws(EvalError) in try Arithmetic.select(try o(a), field, testOnly: testOnly) }
    case .index(let operand, let key):
      let k = plan(key)
      if case .variable(let v)? = checked.references[operand.id], let keyed = v.keyedResolver {
        let name = v.name
        return { a throws(EvalError) in
          let kv = try k(a)
          guard let value = try keyed(a, kv) else { throw EvalError("no such key: \(name)[\(kv)]") }
          return value
        }
      }
      let o = plan(operand)
      return { a throws(EvalError) in try Arithmetic.index(try o(a), try k(a)) }
    case .list(let elements):
      let plans = elements.map(plan)
      return { a throws(EvalError) in
        var out: [Value] = []
        out.reserveCapacity(plans.count)
        for p in plans { out.append(try p(a)) }
        return .list(out)
      }
    case .map(let entries):
      let plans = entries.map { (plan($0.key), plan($0.value)) }
      return { a throws(EvalError) in
        var pairs: [(MapKey, Value)] = []
        for (k, v) in plans { pairs.append((try MapKey(try k(a)), try v(a))) }
        return .map(try MapValue(pairs))
      }
    case .unary(let op, let operand):
      let o = plan(operand)
      switch op {
      case .not: return { a throws(EvalError) in try Arithmetic.not(try o(a)) }
      case .negate: return { a throws(EvalError) in try Arithmetic.negate(try o(a)) }
      }
    case .binary(let op, let l, let r): return planBinary(op, l, r)
    case .and(let l, let r): return planLogical(isAnd: true, plan(l), plan(r))
    case .or(let l, let r): return planLogical(isAnd: false, plan(l), plan(r))
    case .conditional(let c, let t, let f):
      let (pc, pt, pf) = (plan(c), plan(t), plan(f))
      return { a throws(EvalError) in
        switch try pc(a) {
        case .bool(true): return try pt(a)
        case .bool(false): return try pf(a)
        case let other: throw EvalError("no matching overload for '_?_:_' applied to \(other.typeName)")
        }
      }
    case .comprehension(let c): return planComprehension(c, slot: checked.localSlots[e.id] ?? 0)
    case .call(let function, let target, let args, _): return planCall(function, target, args)
    }
  }

  private func planReference(_ reference: Reference, _ e: Expr) -> Eval {
    var testOnly = false
    if case .select(_, _, _, let t) = e.kind { testOnly = t }
    switch reference {
    case .local(let slot): return { a in a.locals[slot] }
    case .undeclared(let message): return { _ throws(EvalError) in throw EvalError(message) }
    case .variable(let v):
      let name = v.name
      if let resolver = v.resolver {
        if testOnly { return { a throws(EvalError) in .bool(try resolver(a) != nil) } }
        return { a throws(EvalError) in
          guard let value = try resolver(a) else { throw EvalError.noSuchKey(name) }
          return value
        }
      }
      let slot = v.slot
      if testOnly { return { a in .bool(a.variables[slot] != nil) } }
      return { a throws(EvalError) in
        guard let value = a.variables[slot] else { throw EvalError.noSuchKey(name) }
        return value
      }
    }
  }

  private func planLogical(isAnd: Bool, _ l: @escaping Eval, _ r: @escaping Eval) -> Eval {
    // CEL's commutative logic: a decisive value on either side wins over an
    // error on the other; non-bool operands behave like errors.
    let decisive = !isAnd
    let op = isAnd ? "_&&_" : "_||_"
    return { a throws(EvalError) in
      var firstError: EvalError?
      do throws(EvalError) {
        switch try l(a) {
        case .bool(let b) where b == decisive: return .bool(decisive)
        case .bool: break
        case let other: firstError = EvalError("no matching overload for '\(op)' applied to \(other.typeName)")
        }
      } catch { firstError = error }
      do throws(EvalError) {
        switch try r(a) {
        case .bool(let b) where b == decisive: return .bool(decisive)
        case .bool: break
        case let other:
          if firstError == nil {
            firstError = EvalError("no matching overload for '\(op)' applied to \(other.typeName)")
          }
        }
      } catch {
        if firstError == nil { firstError = error }
      }
      if let firstError { throw firstError }
      return .bool(!decisive)
    }
  }
}
