extension Planner {
  /// Plans `all`, `exists`, `exists_one`, `map` and `filter`. Every iteration
  /// is charged to the activation's budget, so no expression runs unbounded.
  func planComprehension(_ c: Comprehension, slot: Int) -> Eval {
    let range = plan(c.range)
    let predicate = c.predicate.map(plan)
    let transform = c.transform.map(plan)
    let macro = c.macro
    return { a throws(EvalError) in
      let items: [Value]
      switch try range(a) {
      case .list(let l): items = l
      case .map(let m): items = m.keys.map(\.value)
      case let other: throw EvalError("no such overload: \(macro.rawValue)() over \(other.typeName)")
      }
      func test(_ p: Eval) throws(EvalError) -> Bool {
        switch try p(a) {
        case .bool(let b): return b
        case let other: throw EvalError("no such overload: \(macro.rawValue)() condition is \(other.typeName)")
        }
      }
      switch macro {
      case .all, .exists:
        let decisive = macro == .exists
        var firstError: EvalError?
        for item in items {
          try a.charge()
          a.locals[slot] = item
          do throws(EvalError) {
            if try test(predicate!) == decisive { return .bool(decisive) }
          } catch {
            if firstError == nil { firstError = error }
          }
        }
        if let firstError { throw firstError }
        return .bool(!decisive)
      case .existsOne:
        var count = 0
        for item in items {
          try a.charge()
          a.locals[slot] = item
          if try test(predicate!) { count += 1 }
        }
        return .bool(count == 1)
      case .map:
        var out: [Value] = []
        out.reserveCapacity(items.count)
        for item in items {
          try a.charge()
          a.locals[slot] = item
          if let predicate, !(try test(predicate)) { continue }
          out.append(try transform!(a))
        }
        return .list(out)
      case .filter:
        var out: [Value] = []
        for item in items {
          try a.charge()
          a.locals[slot] = item
          if try test(predicate!) { out.append(item) }
        }
        return .list(out)
      }
    }
  }
}
