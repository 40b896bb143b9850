import LaurelDiagnostics
import LaurelExpression

extension Compilation {
  /// Compiles every action's rules and builds the dispatch table. Action types
  /// named only by bonuses or streaks (`on:`) get an entry too.
  mutating func compileActions(
    env: RuleEnvironment, currencyIndex: [String: Int], counterIndex: [String: Int], progressIndex: [String: Int],
    caps: [CompiledCap]
  ) -> ([String: Int], [CompiledAction]) {
    var table: [String: Int] = [:]
    var actions: [CompiledAction] = []
    var globalIndex = 0
    for declaration in book.actions where table[declaration.type.text] == nil {
      var rules: [CompiledRule] = []
      for r in declaration.rules {
        if let rule = compileRule(
          r, env: env, currencyIndex: currencyIndex, counterIndex: counterIndex, progressIndex: progressIndex,
          caps: caps, globalIndex: globalIndex)
        {
          rules.append(rule)
        }
        globalIndex += 1
      }
      table[declaration.type.text] = actions.count
      actions.append(CompiledAction(type: declaration.type.text, rules: rules, bonuses: [], streaks: []))
    }
    func entry(_ type: String) -> Int {
      if let i = table[type] { return i }
      table[type] = actions.count
      actions.append(CompiledAction(type: type, rules: [], bonuses: [], streaks: []))
      return actions.count - 1
    }
    /// Attaches something to the action types named in `on` (every type when empty).
    func attach(_ on: [Name], _ add: (CompiledAction) -> CompiledAction) {
      for i in on.isEmpty ? Array(actions.indices) : on.map({ entry($0.text) }) { actions[i] = add(actions[i]) }
    }
    for (b, bonus) in book.bonuses.enumerated() { attach(bonus.on) { $0.adding(bonus: b) } }
    for (s, streak) in book.streaks.enumerated() { attach(streak.on) { $0.adding(streak: s) } }
    return (table, actions)
  }

  private mutating func compileRule(
    _ r: RuleDeclaration, env: RuleEnvironment, currencyIndex: [String: Int], counterIndex: [String: Int],
    progressIndex: [String: Int], caps: [CompiledCap], globalIndex: Int
  ) -> CompiledRule? {
    var ok = true
    let when = r.when.flatMap { expression($0, in: env.rule, expecting: .bool) }
    if r.when != nil && when == nil { ok = false }
    var amounts: [(Int, Program)] = []
    for a in r.amounts {
      let currency = resolve(a.currency, in: currencyIndex, kind: "currency")
      let program = expression(a.amount, in: env.rule, expecting: .int)
      if let program, program.references.isEmpty, program.constant == nil {
        // An amount that reads nothing (`-9223372036854775807 - 1`) is worked out now, not at run time.
        switch Result(catching: { () throws(EvalError) in try program.evaluate(Activation(slotCount: 0)) }) {
        case .success(.int(let value)) where value < 0:
          error(
            .invalidValue,
            "\(a.isDeduction ? "deduct" : "award") takes an amount of 0 or more, not \(value) (\(a.amount.text))",
            at: a.amount.location)
          ok = false
        case .failure(let failure):
          error(
            .invalidValue, "the amount \(a.amount.text) cannot be worked out: \(failure.message)", at: a.amount.location
          )
          ok = false
        default: break
        }
      }
      if case .int(let constant)? = program?.constant, constant < 0 {
        let hint = a.isDeduction ? "write the amount without its sign" : "to take \(a.currency.text) away, use deduct"
        error(
          .invalidValue, "\(a.isDeduction ? "deduct" : "award") takes an amount of 0 or more, not \(constant); \(hint)",
          at: a.amount.location)
        ok = false
      }
      if let currency, let program { amounts.append((currency, program)) } else { ok = false }
    }
    let recipient = r.recipient.flatMap { expression($0, in: env.event, expecting: .string, role: "to") }
    let once = r.oncePer.flatMap { expression($0, in: env.event, expecting: nil, role: "'once_per'") }
    var counts: [(Int, Program?)] = []
    for c in r.counts {
      let counter = resolve(c.counter, in: counterIndex, kind: "counter")
      let amount = c.amount.flatMap { expression($0, in: env.rule, expecting: .int) }
      if let counter { counts.append((counter, amount)) } else { ok = false }
    }
    var progress: [(Int, Int32)] = []
    for p in r.progress {
      guard let index = resolve(p.progress, in: progressIndex, kind: "progress") else { ok = false; continue }
      let states = book.progress[index].states.map(\.text)
      guard let state = states.firstIndex(of: p.state.text) else {
        error(
          .undeclared,
          "unknown state '\(p.state.text)' of progress '\(p.progress.text)'; its states are \(states.joined(separator: ", "))",
          at: p.state.location, length: p.state.text.count)
        ok = false
        continue
      }
      progress.append((index, Int32(state)))
    }
    if let from = r.from, let until = r.until, until <= from {
      error(.invalidValue, "rule '\(r.id.text)' ends (until \(until)) before it starts (from \(from))", at: r.location)
    }
    if r.amounts.isEmpty && r.counts.isEmpty && r.progress.isEmpty {
      error(
        .missingKey, "rule '\(r.id.text)' does nothing: give it 'award', 'deduct', 'count' or 'progress'",
        at: r.location)
    }
    guard ok, r.recipient == nil || recipient != nil, r.oncePer == nil || once != nil else { return nil }
    return CompiledRule(
      id: r.id.text, when: when, amounts: amounts,
      signs: r.amounts.map { $0.isDeduction ? -1 : 1 }, recipient: recipient, oncePer: once,
      cooldownSeconds: r.cooldown.map { $0.seconds + ($0.nanos > 0 ? 1 : 0) }, counts: counts, progress: progress,
      from: r.from, until: r.until,
      caps: amounts.map { capIndices(for: r.id.text, currency: $0.0, compiled: caps) }, globalIndex: globalIndex,
      stringField: stringField(read:), field: field(named:),
      objectCounters: Set(book.counters.indices.filter { book.counters[$0].of != nil }))
  }

  /// The declared string field an expression is, whole (`event.author`), so
  /// the engine can take the value without evaluating.
  func stringField(read program: Program?) -> Int? {
    guard let name = program?.variable, program?.resultType == .string, name.hasPrefix("event.") else { return nil }
    return book.fields.firstIndex { $0.type == .string && "event." + $0.name.text == name }
  }

  /// The index of the declared field an expression names (`event.owner`).
  func field(named name: String) -> Int? {
    guard name.hasPrefix("event.") else { return nil }
    return book.fields.firstIndex { "event." + $0.name.text == name }
  }
}
