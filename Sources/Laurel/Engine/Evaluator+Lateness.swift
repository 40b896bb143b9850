import LaurelExpression

/// Windows only move forward.
///
/// Caps, bonuses, windowed counters and streaks keep one member's state for
/// the window they are counting (today, this week). An action dated in an
/// earlier window than the one such an item of the member already counts
/// cannot be counted in its own window any more; counting it in the current
/// one would let alternating days pay a daily cap twice over. Such an action
/// is **late** and is rejected, with the item and both windows in the reason.
/// Actions within the window an item counts may arrive in any order, and an
/// action that changes no windowed item of a member is never late for it.
extension Evaluator {
  /// Why the action is late for a member's windowed items, or nil.
  ///
  /// - Parameters:
  ///   - caps: caps the action's earnings would count against.
  ///   - counters: counters it would add to (windowed ones are checked).
  ///   - bonuses, streaks: the action type's, when `state` is the actor's.
  func lateness(
    of id: @autoclosure () -> String, for member: MemberID, _ state: MemberState, caps: some Sequence<Int>,
    counters: some Sequence<Int>, bonuses: [Int] = [], streaks: [Int] = []
  ) -> ActionError? {
    // `what` is built only for a late action: interpolating it for every check cost an allocation each.
    func late(_ what: @autoclosure () -> String, _ window: TimeWindow, holds: Int64) -> ActionError? {
      let now = context.window(window)
      guard holds > now else { return nil }
      return ActionError(
        .late,
        "action \(id()) is late: it falls in \(Self.describe(now, window)), but \(what()) of member \(member) already counts \(Self.describe(holds, window)); windows only move forward"
      )
    }
    for cap in caps {
      if let reason = late("cap '\(rules.caps[cap].name)'", rules.caps[cap].per, holds: state.capUsage[cap].window) {
        return reason
      }
    }
    for counter in counters {
      guard let window = rules.counters[counter].window else { continue }
      if let reason = late("counter '\(rules.counters[counter].name)'", window, holds: state.counters[counter].window) {
        return reason
      }
    }
    for b in bonuses {
      if let reason = late("bonus '\(rules.bonuses[b].name)'", rules.bonuses[b].every, holds: state.bonusWindows[b]) {
        return reason
      }
    }
    for s in streaks {
      if let reason = late(
        "streak '\(rules.streaks[s].name)'", rules.streaks[s].every, holds: state.streaks[s].lastWindow)
      {
        return reason
      }
    }
    return nil
  }

  /// "the day 2026-03-01", "the week of 2026-02-23", "the month 2026-03".
  static func describe(_ window: Int64, _ kind: TimeWindow) -> String {
    func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
    switch kind {
    case .day:
      let d = CivilDate(days: window)
      return "the day \(d.year)-\(two(d.month))-\(two(d.day))"
    case .week:
      let d = CivilDate(days: window * 7 - 3)  // weeks start on Monday; day 0 was a Thursday
      return "the week of \(d.year)-\(two(d.month))-\(two(d.day))"
    case .month:
      return "the month \(window / 12)-\(two(window % 12 + 1))"
    }
  }
}

/// Caps and windowed counters that some effects touch.
struct WindowedItems: Sendable {
  var caps: [Int] = []
  /// Windowed counters only.
  var counters: [Int] = []
  var isEmpty: Bool { caps.isEmpty && counters.isEmpty }

  /// Per rule (global index): caps of its earnings, and windowed counters it
  /// counts or that track a currency it credits. Per action type: the same
  /// for its bonuses' amounts.
  static func make(_ rules: CompiledRules) -> (byRule: [WindowedItems], byType: [WindowedItems]) {
    func windowed(_ counters: [Int]) -> [Int] { counters.filter { rules.counters[$0].window != nil } }
    var byRule = Array(repeating: WindowedItems(), count: rules.ruleCount)
    for action in rules.actions {
      for rule in action.rules {
        var items = WindowedItems()
        for (i, (currency, _)) in rule.amounts.enumerated() {
          // Earnings count against caps; deductions free room under net caps.
          items.caps += rule.caps[i].filter { rule.signs[i] > 0 || rules.caps[$0].net }
          items.counters += windowed(rules.currencies[currency].trackingCounters)
          if rule.signs[i] > 0 { items.counters += windowed(rules.currencies[currency].earningCounters) }
        }
        items.counters += windowed(rule.counts.map(\.counter))
        byRule[rule.globalIndex] = items
      }
    }
    let byType = rules.actions.map { action in
      WindowedItems(
        caps: action.bonuses.flatMap { rules.bonuses[$0].caps.joined() },
        counters: windowed(
          action.bonuses.flatMap {
            rules.bonuses[$0].amounts.flatMap {
              rules.currencies[$0.currency].trackingCounters + rules.currencies[$0.currency].earningCounters
            }
          }))
    }
    return (byRule, byType)
  }
}
