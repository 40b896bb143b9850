extension Planner {
  /// Plans a binary operator, specialising the int/int, double/double and
  /// string cases the rule files use most.
  func planBinary(_ op: BinaryOperator, _ l: Expr, _ r: Expr) -> Eval {
    let lt = checked.types[l.id]
    let rt = checked.types[r.id]
    let pl = plan(l)
    if lt == .int, rt == .int, case .literal(.int(let c)) = r.kind, op.isComparison {
      return planIntComparison(op, pl, c)
    }
    let pr = plan(r)
    if lt == .int && rt == .int {
      switch op {
      case .add:
        return { a throws(EvalError) in
          let x = try pl(a)
          let y = try pr(a)
          guard case .int(let i) = x, case .int(let j) = y else { return try Arithmetic.add(x, y) }
          let (s, o) = i.addingReportingOverflow(j)
          if o { throw EvalError.overflow("+") }
          return .int(s)
        }
      case .subtract:
        return { a throws(EvalError) in
          let x = try pl(a)
          let y = try pr(a)
          guard case .int(let i) = x, case .int(let j) = y else { return try Arithmetic.subtract(x, y) }
          let (s, o) = i.subtractingReportingOverflow(j)
          if o { throw EvalError.overflow("-") }
          return .int(s)
        }
      case .multiply:
        return { a throws(EvalError) in
          let x = try pl(a)
          let y = try pr(a)
          guard case .int(let i) = x, case .int(let j) = y else { return try Arithmetic.multiply(x, y) }
          let (s, o) = i.multipliedReportingOverflow(by: j)
          if o { throw EvalError.overflow("*") }
          return .int(s)
        }
      default: break
      }
    }
    if op == .equal || op == .notEqual {
      let negate = op == .notEqual
      if lt == .string && rt == .string {
        return { a throws(EvalError) in
          let x = try pl(a)
          let y = try pr(a)
          if case .string(let s) = x, case .string(let t) = y { return .bool(s.utf8.elementsEqual(t.utf8) != negate) }
          return .bool(x.celEquals(y) != negate)
        }
      }
      return { a throws(EvalError) in .bool(try pl(a).celEquals(try pr(a)) != negate) }
    }
    switch op {
    case .add:
      return { a throws(EvalError) in
        let result = try Arithmetic.add(try pl(a), try pr(a))
        if case .list(let items) = result { try a.charge(items.count / 16) }
        if case .string(let s) = result { try a.charge(s.utf8.count / 256) }
        return result
      }
    case .subtract: return { a throws(EvalError) in try Arithmetic.subtract(try pl(a), try pr(a)) }
    case .multiply: return { a throws(EvalError) in try Arithmetic.multiply(try pl(a), try pr(a)) }
    case .divide: return { a throws(EvalError) in try Arithmetic.divide(try pl(a), try pr(a)) }
    case .remainder: return { a throws(EvalError) in try Arithmetic.remainder(try pl(a), try pr(a)) }
    default: return { a throws(EvalError) in try Arithmetic.compare(op, try pl(a), try pr(a)) }
    }
  }

  private func planIntComparison(_ op: BinaryOperator, _ pl: @escaping Eval, _ c: Int64) -> Eval {
    let constant = Value.int(c)
    switch op {
    case .less:
      return { a throws(EvalError) in
        let x = try pl(a)
        if case .int(let i) = x { return .bool(i < c) }
        return try Arithmetic.compare(op, x, constant)
      }
    case .lessOrEqual:
      return { a throws(EvalError) in
        let x = try pl(a)
        if case .int(let i) = x { return .bool(i <= c) }
        return try Arithmetic.compare(op, x, constant)
      }
    case .greater:
      return { a throws(EvalError) in
        let x = try pl(a)
        if case .int(let i) = x { return .bool(i > c) }
        return try Arithmetic.compare(op, x, constant)
      }
    default:
      return { a throws(EvalError) in
        let x = try pl(a)
        if case .int(let i) = x { return .bool(i >= c) }
        return try Arithmetic.compare(op, x, constant)
      }
    }
  }

  /// Plans a function call, compiling literal regular expressions once.
  func planCall(_ function: String, _ target: Expr?, _ args: [Expr]) -> Eval {
    let argPlans = args.map(plan)
    guard let target else {
      if args.count == 1 {
        let p = argPlans[0]
        return { a throws(EvalError) in try Functions.call(function, target: nil, args: [try p(a)]) }
      }
      return { a throws(EvalError) in
        var values: [Value] = []
        for p in argPlans { values.append(try p(a)) }
        return try Functions.call(function, target: nil, args: values)
      }
    }
    let t = plan(target)
    if args.count == 1, case .literal(.string(let literal)) = args[0].kind {
      switch function {
      case "startsWith":
        return { a throws(EvalError) in
          let v = try t(a)
          if case .string(let s) = v { return .bool(s.utf8.starts(with: literal.utf8)) }
          return try Functions.call(function, target: v, args: [.string(literal)])
        }
      case "contains":
        return { a throws(EvalError) in
          let v = try t(a)
          if case .string(let s) = v { return .bool(StringSearch.contains(s, literal)) }
          return try Functions.call(function, target: v, args: [.string(literal)])
        }
      case "matches":
        guard let matcher = try? RegexMatcher(literal) else { break }
        return { a throws(EvalError) in
          let v = try t(a)
          if case .string(let s) = v { return .bool(matcher.matches(s)) }
          return try Functions.call(function, target: v, args: [.string(literal)])
        }
      default: break
      }
    }
    return { a throws(EvalError) in
      let tv = try t(a)
      var values: [Value] = []
      values.reserveCapacity(argPlans.count)
      for p in argPlans { values.append(try p(a)) }
      return try Functions.call(function, target: tv, args: values)
    }
  }
}
