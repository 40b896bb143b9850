import LaurelExpression

/// How the engine checks one badge, worked out once per rule set: most badge
/// conditions compare counters or balances with numbers
/// (`member.counters.answer_score[key] >= 10`, `post.counters.accepted >= 1 &&
/// post.counters.answer_score >= 10`), which are read and compared straight
/// from the state instead of running the expression.
///
/// Plain values only (its programs stay in ``CompiledRules/badges``), so that
/// reading or copying one retains nothing.
struct BadgeCheck {
  enum Reading {
    /// `member.counters.<counter>`, or `member.counters.<counter>[key]` when `keyed`.
    case counter(Int, keyed: Bool, window: TimeWindow?)
    case balance(Int)
    /// `post.counters.<counter>`: an unkeyed counter of the action's object.
    case objectCounter(object: Int, counter: Int)
  }

  /// One comparison of the condition: a value read from the state, and its bound.
  struct Comparison {
    var reading: Reading
    var bound: Threshold.Bound
  }

  /// Whether only admins grant it.
  var manual: Bool
  /// Dependency bits whose change makes the badge worth re-checking.
  var dependsOn: UInt64
  /// Whether it has a `key` (the program is the badge's, in ``CompiledRules/badges``),
  /// and the string field that is, when it is one (`key: event.post`): read without evaluating.
  var keyed: Bool
  var keyField: Int?
  /// Whether it names who may earn it (`to: event.owner`), and the string field that is, when it is one.
  var limited: Bool
  var toField: Int?
  /// When the condition is comparisons that must all hold
  /// (`post.counters.accepted >= 1 && post.counters.answer_score >= 10`):
  /// where they sit in the evaluator's comparisons. Nil: run `when`.
  var comparisons: Range<Int>?
  /// Whether one of those comparisons reads the badge's key (`counter[key]`):
  /// when none does, the key is worked out only for a condition that holds.
  var comparisonsReadKey = false

  /// Every badge's check, and the comparisons they read, in one plain array
  /// that the evaluator owns (reading it retains nothing).
  static func make(_ rules: CompiledRules) -> (checks: [BadgeCheck], comparisons: [Comparison]) {
    var comparisons: [Comparison] = []
    let checks = rules.badges.map { BadgeCheck($0, rules: rules, comparisons: &comparisons) }
    return (checks, comparisons)
  }

  private init(_ badge: CompiledBadge, rules: CompiledRules, comparisons all: inout [Comparison]) {
    manual = badge.manual
    dependsOn = badge.dependsOn
    keyed = badge.key != nil
    keyField = badge.keyField
    limited = badge.to != nil
    toField = badge.toField
    guard let thresholds = badge.when?.predicate?.comparisons else { return }
    var found: [Comparison] = []
    for threshold in thresholds {
      guard let reading = Self.reading(threshold, badge: badge, rules: rules) else { return }
      found.append(Comparison(reading: reading, bound: threshold.bound))
    }
    comparisons = all.count..<(all.count + found.count)
    comparisonsReadKey = found.contains {
      if case .counter(_, keyed: true, _) = $0.reading { true } else { false }
    }
    all += found
  }

  /// Where a comparison's value is read from, when the state has it plainly.
  private static func reading(_ threshold: Threshold, badge: CompiledBadge, rules: CompiledRules) -> Reading? {
    let counters = "member.counters."
    let balances = "member.balances."
    if threshold.variable.hasPrefix(counters),
      let c = rules.counters.firstIndex(where: { counters + $0.name == threshold.variable })
    {
      let keyed = rules.counters[c].key != nil
      // `counter[key]` of a badge with a key, or a plain counter's total.
      guard keyed ? threshold.index == "key" && badge.key != nil : threshold.index == nil else { return nil }
      return .counter(c, keyed: keyed, window: rules.counters[c].window)
    }
    if threshold.variable.hasPrefix(balances), threshold.index == nil,
      let c = rules.currencies.firstIndex(where: { balances + $0.name == threshold.variable })
    {
      return .balance(c)
    }
    if threshold.index == nil,
      let c = rules.counters.indices.first(where: { c in
        rules.counters[c].key == nil
          && rules.counters[c].object.map { rules.objects[$0].name + ".counters." + rules.counters[c].name }
            == threshold.variable
      }), let o = rules.counters[c].object
    {
      return .objectCounter(object: o, counter: c)
    }
    return nil
  }

  /// Whether `member` may earn the badge on `action`: any member without
  /// `to`, else only the one it names (no one when the action does not name
  /// one). `to` is the badge's program, run when `to` is not a plain field.
  func admits(
    _ member: MemberID, action: UnsafePointer<PreparedAction>, to: @autoclosure () -> Program?,
    activation: Activation
  ) -> Bool {
    if let f = toField {
      guard f < action.pointee.fields.count, case .string(let user)? = action.pointee.fields[f].value else {
        return false
      }
      return user == member.user
    }
    guard limited, let to = to() else { return true }
    guard case .string(let user)? = try? to.evaluate(activation) else { return false }
    return user == member.user
  }

  /// The condition, read from `state` directly (and from `objects`, the
  /// counters of the action's objects, borrowed from the context); nil when
  /// it needs evaluating.
  @inline(__always)
  func holds(
    in state: UnsafePointer<MemberState>, key: String?, context: MemberContext,
    objects: UnsafeBufferPointer<[CounterState]>, comparisons all: UnsafeBufferPointer<Comparison>
  ) -> Bool? {
    guard let comparisons else { return nil }
    for c in comparisons where !Self.holds(all[c], in: state, key: key, context: context, objects: objects) {
      return false
    }
    return true
  }

  @inline(__always)
  private static func holds(
    _ comparison: Comparison, in state: UnsafePointer<MemberState>, key: String?, context: MemberContext,
    objects: UnsafeBufferPointer<[CounterState]>
  ) -> Bool {
    switch comparison.reading {
    case .balance(let c):
      return comparison.bound.holds(c < state.pointee.balances.count ? state.pointee.balances[c] : 0)
    case .counter(let c, let keyed, let window):
      var value: Int64 = 0
      if c < state.pointee.counters.count,
        window.map({ state.pointee.counters[c].window == context.window($0) }) ?? true
      {
        value = keyed ? key.flatMap { state.pointee.counters[c].byKey[$0] } ?? 0 : state.pointee.counters[c].total
      }
      return comparison.bound.holds(value)
    case .objectCounter(let o, let c):
      return comparison.bound.holds(o < objects.count && c < objects[o].count ? objects[o][c].total : 0)
    }
  }
}
