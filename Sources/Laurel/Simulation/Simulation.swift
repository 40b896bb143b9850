import LaurelExpression

/// Replays a history of actions in memory under compiled rules: the engine
/// behind `laurel simulate` and `laurel diff`. Deterministic: time comes from
/// each action's `at`.
///
/// ```swift
/// var simulation = Simulation(rules: compiled)
/// try simulation.run(path: "rules/examples/community-history.jsonl")
/// print(simulation.report().json())
/// ```
public struct Simulation {
  public let rules: CompiledRules
  package internal(set) var state = InMemoryState()
  public private(set) var counts = EventCounts()
  /// What the applied actions produced for members (``EventCounts/notifications``).
  public var memberEvents: MemberEventCounts { counts.notifications }
  /// The first rejections (line number and reason); `counts.rejected` has the total.
  public private(set) var rejections: [(line: Int, error: ActionError)] = []
  /// When on, the run keeps the total amount each rule applied to each member
  /// (``amounts(byRuleOf:)``), which `diff` uses to explain a change.
  public var tracksRules = false
  /// Per member handle: amounts by rule index (see ``CompiledRules/ruleNames``).
  private var ruleTotals: [[Int64]] = []
  public var maxKeptRejections = 100
  /// Tier overrides by scope the replay ranks members under (a store's,
  /// see ``AdminStore``); none by default.
  public var tierOverrides: [String?: TierOverrides] {
    get { state.overrides }
    set { state.overrides = newValue }
  }

  private let evaluator: Evaluator
  private var outcome = Outcome()
  private var action = PreparedAction()
  private let decoder: ActionDecoder
  private let ruleNameCount: Int
  /// What ``apply(contentsOf:)`` prefetches; nil when the scope is an expression.
  private let recipients: RecipientPrefetch?

  public init(rules: CompiledRules) {
    self.rules = rules
    ruleNameCount = rules.ruleNames.count
    evaluator = Evaluator(rules: rules)
    decoder = ActionDecoder(rules: rules)
    recipients = RecipientPrefetch(rules, direct: evaluator.direct)
  }

  /// Makes room for about `actions` more action ids, so a long replay does not
  /// grow its tables mid-run (`run(path:)` does this from the file size).
  public mutating func reserve(actions: Int) {
    state.reserve(actions: counts.read + actions)
  }

  /// What the last action applied by ``apply(_:line:)`` did. The bulk forms
  /// (``apply(contentsOf:)``, ``apply(jsonLine:line:)`` and `run(path:)` of LaurelReplay)
  /// keep counts only, not each action's ledger, tiers and badges (unless
  /// ``tracksRules`` is on, which needs the ledger): read ``counts`` and
  /// ``memberEvents`` after them.
  public var lastOutcome: Outcome { outcome }

  /// The last action's status, without copying its outcome.
  var lastStatus: Outcome.Status { outcome.status }

  /// Applies one prepared action; ``lastOutcome`` tells what it did.
  public mutating func apply(_ prepared: PreparedAction, line: Int = 0) {
    outcome.itemized = true
    counts.read += 1
    evaluator.apply(prepared, to: &state, outcome: &outcome)
    record(line: line)
  }

  /// Applies prepared actions in order, each as ``apply(_:line:)`` would,
  /// counting what they did (see ``lastOutcome``). Faster for many: it goes
  /// in blocks of 16 and, while applying one block, prefetches what the
  /// next ones will touch, so that their cache misses overlap with work
  /// instead of stalling it: the id table slots of the next block, the
  /// member index slots of the block after it, and, those being in cache by
  /// then, the next block's members and once-per slots.
  public mutating func apply(contentsOf actions: [PreparedAction]) {
    startBulk()
    actions.withUnsafeBufferPointer { apply(blocksOf: $0, lines: nil, failures: []) }
  }

  /// ``apply(contentsOf:)`` for a replay's batch: `lines` are the actions'
  /// line numbers (for rejections), and `failures` (by ascending index) the
  /// lines that could not be decoded, whose places in `actions` are skipped.
  package mutating func apply(
    blocksOf actions: UnsafeBufferPointer<PreparedAction>, lines: UnsafeBufferPointer<Int>?,
    failures: ArraySlice<(index: Int, error: ActionError)>
  ) {
    guard let first = actions.baseAddress else { return }
    let recipients = self.recipients
    let evaluator = self.evaluator  // a local: through self, each call would retain it
    let size = 16
    func block(_ k: Int) -> Range<Int> { min(k * size, actions.count)..<min((k + 1) * size, actions.count) }
    var failures = failures
    state.processed.touch(idsOf: actions, block(0))
    if let recipients {
      state.touchIndexSlots { recipients.forEachGuess(of: actions, block(0), $0) }
      state.touchIndexSlots { recipients.forEachGuess(of: actions, block(1), $0) }
      state.touchMembers { recipients.forEachGuess(of: actions, block(0), $0) }
    }
    for k in 0..<(actions.count + size - 1) / size {
      state.processed.touch(idsOf: actions, block(k + 1))
      if let recipients {
        state.touchIndexSlots { recipients.forEachGuess(of: actions, block(k + 2), $0) }
        state.touchMembers { recipients.forEachGuess(of: actions, block(k + 1), $0) }
      }
      for i in block(k) {
        let line = lines?[i] ?? 0
        if let failure = failures.first, failure.index == i {
          countRejectedLine(line, failure.error)
          failures.removeFirst()
          continue
        }
        // In place: passing actions[i] would copy the action (see Evaluator.apply(at:)).
        counts.read += 1
        evaluator.apply(at: first + i, to: &state, outcome: &outcome)
        record(line: line)
      }
    }
  }

  /// Bulk replays count effects without listing them, unless rule totals need the ledger.
  package mutating func startBulk() { outcome.itemized = tracksRules }

  /// Decodes and applies one JSON line; a malformed line is counted as rejected.
  public mutating func apply(jsonLine bytes: UnsafeBufferPointer<UInt8>, line: Int) {
    startBulk()
    counts.read += 1
    do {
      try decoder.decode(bytes, into: &action)
    } catch {
      counts.rejected += 1
      keep(line: line, error: error)
      return
    }
    evaluator.apply(action, to: &state, outcome: &outcome)
    record(line: line)
  }

  private mutating func record(line: Int) {
    switch outcome.status {
    case .applied:
      counts.applied += 1
      counts.notifications.add(outcome.tally)
      if tracksRules {
        for entry in outcome.records {
          while ruleTotals.count <= entry.handle { ruleTotals.append(Array(repeating: 0, count: ruleNameCount)) }
          ruleTotals[entry.handle][entry.rule] &+= entry.amount
        }
      }
    case .duplicate: counts.duplicates += 1
    case .ignored: counts.ignored += 1
    case .rejected(let reason):
      counts.rejected += 1
      keep(line: line, error: reason)
    }
  }

  private mutating func keep(line: Int, error: ActionError) {
    if rejections.count < maxKeptRejections { rejections.append((line, error)) }
  }

  mutating func countRejectedLine(_ line: Int, _ error: ActionError) {
    counts.read += 1
    counts.rejected += 1
    keep(line: line, error: error)
  }

  /// The amounts each rule applied to a member over the run (nonzero only),
  /// when ``tracksRules`` was on.
  /// A member by name; nil for one the run has not seen.
  public func profile(of member: MemberID) -> MemberProfile? {
    state.state(of: member).map { rules.profile(of: member, state: $0) }
  }

  /// Every member by name, sorted by scope then user.
  public func profiles() -> [MemberProfile] {
    state.sortedMembers().map { rules.profile(of: $0.0, state: $0.1) }
  }

  /// How many members the run has seen.
  public var memberCount: Int { rules.objects.isEmpty ? state.memberCount : state.ids.count(where: { !$0.isObject }) }

  /// The amounts each rule applied to a member, by rule index (see
  /// ``CompiledRules/ruleNames``); empty unless ``tracksRules`` was on.
  package func ruleTotals(of member: MemberID) -> [Int64] {
    guard let h = state.existingMember(member), h < ruleTotals.count else { return [] }
    return ruleTotals[h]
  }

  public func amounts(byRuleOf member: MemberID) -> [(rule: String, amount: Int64)] {
    guard let h = state.existingMember(member), h < ruleTotals.count else { return [] }
    let names = rules.ruleNames
    return ruleTotals[h].enumerated().compactMap { i, amount in amount == 0 ? nil : (names[i], amount) }
  }

}
