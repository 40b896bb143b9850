public import LaurelDiagnostics
public import LaurelExpression

/// Compiles a ``RuleBook`` into ``CompiledRules``: checks every name and
/// reference, compiles every expression against the declared environment, and
/// builds the dispatch table. Reports all problems, not just the first.
///
/// ```swift
/// let compiled = try RuleCompiler().compile(book).get()
/// ```
public struct RuleCompiler: Sendable {
  public var options = ExpressionOptions()
  public init() {}

  public func compile(_ book: RuleBook) -> Result<CompiledRules, DiagnosticError> {
    var c = Compilation(book: book, options: options)
    let rules = c.run()
    if c.diagnostics.contains(where: { $0.severity == .error }) || rules == nil {
      return .failure(DiagnosticError(c.diagnostics.sorted(by: Compilation.sourceOrder)))
    }
    return .success(rules!)
  }
}

/// One run of the compiler; collects diagnostics as it goes.
struct Compilation {
  let book: RuleBook
  let options: ExpressionOptions
  var diagnostics: [Diagnostic] = []
  /// What each named value (`let:`) reads, for diagnostics where it is unavailable.
  var namedValueReads: [String: Set<String>] = [:]
  /// While a named value compiles: those defined after it, which it cannot use.
  var laterNamedValues: Set<String> = []
  /// Named values whose definitions have errors, with where they are defined.
  var failedNamedValues: [String: SourceLocation?] = [:]

  init(book: RuleBook, options: ExpressionOptions) {
    self.book = book
    self.options = options
  }

  /// Rule ids by global index.
  static func ruleNames(_ actions: [CompiledAction]) -> [String] {
    let count = actions.reduce(0) { max($0, $1.rules.map { $0.globalIndex + 1 }.max() ?? 0) }
    var names = Array(repeating: "", count: count)
    for action in actions { for rule in action.rules { names[rule.globalIndex] = rule.id } }
    return names
  }

  static func sourceOrder(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
    let la = a.location
    let lb = b.location
    return (la?.file ?? "", la?.line ?? 0, la?.column ?? 0) < (lb?.file ?? "", lb?.line ?? 0, lb?.column ?? 0)
  }

  mutating func error(_ code: Diagnostic.Code, _ message: String, at location: SourceLocation?, length: Int = 1) {
    diagnostics.append(Diagnostic(code: code, message: message, at: location, length: length))
  }

  /// Index of each name; duplicates are diagnosed.
  mutating func index(_ names: [Name], kind: String) -> [String: Int] {
    var seen: [String: Int] = [:]
    for (i, name) in names.enumerated() {
      if seen[name.text] != nil {
        error(.duplicate, "\(kind) '\(name.text)' is declared twice", at: name.location, length: name.text.count)
      } else {
        seen[name.text] = i
      }
    }
    return seen
  }

  /// Looks a reference up; an unknown name is diagnosed with a suggestion.
  mutating func resolve(_ name: Name, in table: [String: Int], kind: String) -> Int? {
    if let i = table[name.text] { return i }
    let hint = Suggestions.closest(to: name.text, in: table.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""
    let known = table.isEmpty ? " (none are declared)" : hint
    error(.undeclared, "unknown \(kind) '\(name.text)'\(known)", at: name.location, length: name.text.count)
    return nil
  }

  mutating func expression(
    _ source: ExpressionSource, in env: Declarations, expecting: ExprType?, role: String? = nil
  ) -> Program? {
    switch ExpressionCompiler(declarations: env, options: options).compile(source, expecting: expecting) {
    case .success(let p): return p
    case .failure(let e):
      let misread = misreadObjectCounter(in: source.text)
      diagnostics += e.diagnostics.map { diagnostic in
        guard let misread, diagnostic.message.hasPrefix("unknown field '") else {
          return explainingUnavailableNames(diagnostic, role: role)
        }
        var explained = diagnostic
        explained.message = misread
        return explained
      }
      return nil
    }
  }

  /// "unknown name 'member'" says nothing about why: in an expression that
  /// reads the action only (`to`, `once_per`, keys, the scope), say so.
  func explainingUnavailableNames(_ diagnostic: Diagnostic, role: String?) -> Diagnostic {
    guard diagnostic.code == .unknownName else { return diagnostic }
    var explained = diagnostic
    let unknown = diagnostic.message.dropFirst("unknown name '".count).prefix { $0 != "'" }
    if diagnostic.message.hasPrefix("unknown name '"), let reason = unavailableNamedValue(String(unknown), role: role) {
      explained.message = reason
      return explained
    }
    guard let role, !role.hasPrefix("let ") else { return diagnostic }
    for name in ["member", "key"] + book.objects.map(\.name.text)
    where diagnostic.message.hasPrefix("unknown name '\(name)") {
      let reason =
        role == "to"
        ? "'to' decides whose state the rule reads, so it cannot read one; use member.* in when, award, deduct or count"
        : "\(role) is worked out from the action alone (event.*), before any member is read"
      explained.message = "'\(name)' is not available in \(role == "to" ? "'to'" : role): \(reason)"
    }
    return explained
  }

  /// Why `member.counters.<name>` is unknown when an object keeps that counter (nil otherwise).
  func misreadObjectCounter(in text: String) -> String? {
    for counter in book.counters {
      guard let of = counter.of else { continue }
      let read = "member.counters." + counter.name.text
      guard let range = text.firstRange(of: read),
        !(text[range.upperBound...].first.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false)
      else { continue }
      return "counter '\(counter.name.text)' is kept by each \(of.text), not by members: "
        + "read \(of.text).counters.\(counter.name.text)"
    }
    return nil
  }

  mutating func run() -> CompiledRules? {
    _ = index(book.fields.map(\.name), kind: "field")
    for f in book.fields where ["id", "type", "user", "at", "traits"].contains(f.name.text) {
      error(
        .duplicate, "field '\(f.name.text)' is built in; every action has id, type, user, at and traits",
        at: f.name.location)
    }
    let traitIndex = index(book.traits.map(\.name), kind: "trait")
    let currencyIndex = index(book.currencies.map(\.name), kind: "currency")
    let counterIndex = index(book.counters.map(\.name), kind: "counter")
    let progressIndex = index(book.progress.map(\.name), kind: "progress")
    _ = index(book.streaks.map(\.name), kind: "streak")
    let bonusIndex = index(book.bonuses.map(\.name), kind: "bonus")
    _ = index(book.caps.map(\.name), kind: "cap")
    let ladderIndex = index(book.ladders.map(\.name), kind: "ladder")
    _ = index(book.badges.map(\.name), kind: "badge")
    _ = index(book.gates.map(\.name), kind: "gate")
    _ = index(book.leaderboards.map(\.name), kind: "leaderboard")
    _ = index(book.actions.map(\.type), kind: "action type")
    let ruleIDs = index(book.actions.flatMap { $0.rules.map(\.id) }, kind: "rule id")

    guard let timeZone = TimeZoneRule(book.timeZone.text) else {
      error(
        .invalidValue,
        "unknown time zone '\(book.timeZone.text)'; use UTC, an offset like +02:00, or a name like Europe/Paris",
        at: book.timeZone.location)
      return nil
    }
    let traits = compileTraits()
    var env = RuleEnvironment(book: book)
    declareNamedValues(in: &env)
    let objects = compileObjects(env: env)  // a key may be a named value (let:) that reads the action
    let counters = compileCounters(env: env, currencyIndex: currencyIndex)
    let progress = compileProgress(env: env)
    let scope = book.scope.flatMap { expression($0, in: env.event, expecting: .string, role: "the member scope") }
    let currencies = book.currencies.map { c in
      CompiledCurrency(
        name: c.name.text, start: c.start, floor: c.floor,
        trackingCounters: book.counters.indices.filter { book.counters[$0].tracks?.text == c.name.text },
        earningCounters: book.counters.indices.filter { book.counters[$0].earned?.text == c.name.text })
    }
    for c in book.currencies {
      if let floor = c.floor, c.start < floor {
        error(
          .invalidValue, "currency '\(c.name.text)' starts at \(c.start), below its floor \(floor)", at: c.name.location
        )
      }
    }
    let caps = compileCaps(currencyIndex: currencyIndex, ruleIDs: ruleIDs, bonusIndex: bonusIndex)
    let ladders = compileLadders(currencyIndex: currencyIndex, traitIndex: traitIndex)
    let deps = makeDependencies()
    let bonuses = compileBonuses(currencyIndex: currencyIndex, caps: caps)
    var (actionIndex, actions) = compileActions(
      env: env, currencyIndex: currencyIndex, counterIndex: counterIndex, progressIndex: progressIndex,
      caps: caps)
    let badges = compileBadges(env: env, deps: deps)
    for g in book.gates { _ = resolve(g.ladder, in: ladderIndex, kind: "ladder") }
    for l in book.leaderboards { _ = resolve(l.currency, in: currencyIndex, kind: "currency") }
    if diagnostics.contains(where: { $0.severity == .error }) { return nil }
    // Which event fields each action type needs bound: what its programs, and every badge's, read.
    var shared = Set<String>(scope?.references ?? [])
    for b in badges {
      shared.formUnion((b.key?.references ?? []).union(b.when?.references ?? []).union(b.to?.references ?? []))
    }
    var everything = shared
    let direct = DirectPlan.Scheme(currencyBits: deps.currency, counterBits: deps.counter, counters: counters)
    for i in actions.indices {
      var names = shared
      for rule in actions[i].rules {
        for p in [rule.when, rule.recipient, rule.oncePer].compactMap({ $0 }) + rule.amounts.map(\.amount)
          + rule.counts.compactMap(\.amount) + rule.counts.compactMap({ counters[$0.counter].key })
          + rule.progress.map({ progress[$0.progress].key })
        {
          names.formUnion(p.references)
        }
      }
      // Objects the rules count into or anything here reads, and the fields their keys read.
      let loaded = objects.indices.filter { o in
        names.contains { $0.hasPrefix(objects[o].name + ".") }
          || actions[i].rules.contains { $0.counts.contains { counters[$0.counter].object == o } }
      }
      for o in loaded { names.formUnion(objects[o].key.references) }
      everything.formUnion(names)
      actions[i] = actions[i].finished(
        binding: book.fields.indices.filter { names.contains("event." + book.fields[$0].name.text) },
        objects: loaded, scheme: direct)
    }
    let slotCount = max(env.event.slotCount, env.rule.slotCount, env.badge.slotCount)
    let ruleOrder = Self.ruleNames(actions)
    return CompiledRules(
      scheme: book.scheme.text, scope: scope, scopeField: stringField(read: scope), timeZone: timeZone,
      fields: book.fields.enumerated().map {
        CompiledField(name: $1.name.text, type: $1.type, slot: env.fieldSlots[$0])
      },
      fieldIndex: Dictionary(book.fields.enumerated().map { ($1.name.text, $0) }, uniquingKeysWith: { a, _ in a }),
      slots: env.slots, traits: traits, traitIndex: traitIndex, currencies: currencies, counters: counters,
      objects: objects, progress: progress,
      streaks: book.streaks.map { CompiledStreak(name: $0.name.text, every: $0.every, everyAction: $0.on.isEmpty) },
      actionIndex: actionIndex, actions: actions, bonuses: bonuses, caps: caps, ladders: ladders, badges: badges,
      gates: book.gates, leaderboards: book.leaderboards, slotCount: slotCount, dependencies: deps,
      usesWindows: !book.bonuses.isEmpty || !book.caps.isEmpty || !book.streaks.isEmpty
        || book.counters.contains { $0.window != nil },
      bindsBuiltins: !everything.isDisjoint(with: ["event.id", "event.type", "event.user", "event.at"]),
      ruleNames: ruleOrder + bonuses.map(\.name), ruleCount: ruleOrder.count)
  }
}
