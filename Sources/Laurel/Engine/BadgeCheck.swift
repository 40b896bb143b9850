import LaurelExpression

/// How the engine checks one badge, worked out once per rule set: most badge
/// conditions compare one counter or balance with a number
/// (`member.counters.answer_score[key] >= 10`), which is read and compared
/// straight from the member's state instead of running the expression.
struct BadgeCheck {
  enum Reading {
    /// `member.counters.<counter>`, or `member.counters.<counter>[key]` when `keyed`.
    case counter(Int, keyed: Bool, window: TimeWindow?)
    case balance(Int)
    /// `post.counters.<counter>`: an unkeyed counter of the action's object.
    case objectCounter(object: Int, counter: Int)
  }

  /// Whether only admins grant it.
  var manual: Bool
  /// Dependency bits whose change makes the badge worth re-checking.
  var dependsOn: UInt64
  var key: Program?
  var when: Program?
  /// Who may earn it (`to: event.owner`), and the string field that is, when it is one.
  var to: Program?
  var toField: Int?
  /// The value and comparison when the condition is one comparison; nil: run `when`.
  var reading: Reading?
  var threshold: Threshold.Bound?

  init(_ badge: CompiledBadge, rules: CompiledRules) {
    manual = badge.manual
    dependsOn = badge.dependsOn
    key = badge.key
    when = badge.when
    to = badge.to
    toField = badge.toField
    guard let threshold = badge.when?.threshold else { return }
    let counters = "member.counters."
    let balances = "member.balances."
    if threshold.variable.hasPrefix(counters),
      let c = rules.counters.firstIndex(where: { counters + $0.name == threshold.variable })
    {
      let keyed = rules.counters[c].key != nil
      // `counter[key]` of a badge with a key, or a plain counter's total.
      guard keyed ? threshold.index == "key" && badge.key != nil : threshold.index == nil else { return }
      reading = .counter(c, keyed: keyed, window: rules.counters[c].window)
    } else if threshold.variable.hasPrefix(balances), threshold.index == nil,
      let c = rules.currencies.firstIndex(where: { balances + $0.name == threshold.variable })
    {
      reading = .balance(c)
    } else if threshold.index == nil,
      let c = rules.counters.indices.first(where: { c in
        rules.counters[c].key == nil
          && rules.counters[c].object.map { rules.objects[$0].name + ".counters." + rules.counters[c].name }
            == threshold.variable
      }), let o = rules.counters[c].object
    {
      reading = .objectCounter(object: o, counter: c)
    } else {
      return
    }
    self.threshold = threshold.bound
  }

  /// Whether `member` may earn the badge on `action`: any member without
  /// `to`, else only the one it names (no one when the action does not name one).
  func admits(_ member: MemberID, action: PreparedAction, activation: Activation) -> Bool {
    if let f = toField {
      guard f < action.fields.count, case .string(let user)? = action.fields[f].value else { return false }
      return user == member.user
    }
    guard let to else { return true }
    guard case .string(let user)? = try? to.evaluate(activation) else { return false }
    return user == member.user
  }

  /// The condition, read from `state` directly; nil when it needs evaluating.
  @inline(__always)
  func holds(in state: UnsafePointer<MemberState>, key: String?, context: MemberContext) -> Bool? {
    guard let reading, let threshold else { return nil }
    switch reading {
    case .balance(let c):
      return threshold.holds(c < state.pointee.balances.count ? state.pointee.balances[c] : 0)
    case .counter(let c, let keyed, let window):
      var value: Int64 = 0
      if c < state.pointee.counters.count,
        window.map({ state.pointee.counters[c].window == context.window($0) }) ?? true
      {
        value = keyed ? key.flatMap { state.pointee.counters[c].byKey[$0] } ?? 0 : state.pointee.counters[c].total
      }
      return threshold.holds(value)
    case .objectCounter(let o, let c):
      let objects = context.objects
      return threshold.holds(o < objects.count && c < objects[o].count ? objects[o][c].total : 0)
    }
  }
}
