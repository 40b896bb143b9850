public import Laurel
import LaurelReplay

/// "What would this rule change do?": replays one history under two rule
/// sets and reports who gains or loses what, and why.
///
/// ```swift
/// let report = try RuleChangeAnalysis(from: current, to: proposed).run(path: "history.jsonl")
/// print(report.table())
/// ```
///
/// The two replays run concurrently (the old rules' on a thread of its own), so a diff takes
/// about the wall time of one simulation on a machine with two free cores.
public struct RuleChangeAnalysis: Sendable {
  public let from: CompiledRules
  public let to: CompiledRules
  /// How many gainers and losers the report lists.
  public var topCount = 10
  /// Tier overrides by scope both replays rank under (a store's, for
  /// `laurel rebuild --dry-run`); none by default.
  public var tierOverrides: [String?: TierOverrides] = [:]

  public init(from: CompiledRules, to: CompiledRules) {
    self.from = from
    self.to = to
  }

  /// Replays the JSONL file at `path` under both rule sets and compares the results.
  public func run(path: String, progress: (@Sendable (Int) -> Void)? = nil) throws -> DiffReport {
    // Each on a thread of its own (with the stack deep rules need), whatever thread calls.
    let replays = [(from, progress), (to, nil)].map { rules, progress in
      ReadAhead.background { () throws -> SimulationResult in
        var simulation = Simulation(rules: rules)
        simulation.tracksRules = true
        simulation.tierOverrides = tierOverrides
        try simulation.run(path: path, parallel: false, progress: progress)
        return SimulationResult(simulation: simulation)
      }
    }
    guard let before = try replays[0].next(), let after = try replays[1].next() else { throw CancellationError() }
    return compare(before.simulation, after.simulation)
  }

  /// A finished simulation handed from the thread that ran it; nothing
  /// else holds it, so sending it is safe.
  private struct SimulationResult: @unchecked Sendable {
    var simulation: Simulation
  }

  /// Compares two finished simulations of the same history.
  public func compare(_ before: Simulation, _ after: Simulation) -> DiffReport {
    compare(before, after, profiles: (before.report().members, after.report().members))
  }

  /// ``compare(_:_:)`` with the simulations' profiles (their reports' members,
  /// sorted by member) already at hand: a caller that keeps a replay keeps them too.
  package func compare(
    _ before: Simulation, _ after: Simulation, profiles: (before: [MemberProfile], after: [MemberProfile])
  ) -> DiffReport {
    let (a, b) = profiles
    // With the same rule names on both sides (the usual edit: a number
    // changed), per-rule totals are compared by index, without dictionaries.
    let names = to.ruleNames
    let byIndex = from.ruleNames == names && Set(names).count == names.count
    var changes: [DiffReport.Change] = []
    var i = 0
    var j = 0
    var compared = 0
    while i < a.count || j < b.count {
      let left = i < a.count ? a[i] : nil
      let right = j < b.count ? b[j] : nil
      let old: MemberProfile?
      let new: MemberProfile?
      if let l = left, let r = right, l.member == r.member {
        (old, new) = (l, r)
        i += 1
        j += 1
      } else if let l = left, right == nil || l.member < right!.member {
        (old, new) = (l, nil)
        i += 1
      } else {
        (old, new) = (nil, right)
        j += 1
      }
      compared += 1
      let id = (old ?? new)!.member
      let why = byIndex ? Self.byRule(id, before, after, names: names) : byRule(id, before, after)
      if why.isEmpty, let old, let new, old == new { continue }  // unchanged, without building a Change
      guard let change = DiffReport.Change(id: id, before: old, after: new, byRule: why) else { continue }
      changes.append(change)
    }
    return DiffReport(
      from: from.scheme, to: to.scheme, events: after.counts, membersCompared: compared, changes: changes,
      before: a, after: b, fromRules: from, toRules: to, topCount: topCount)
  }

  /// ``byRule(_:_:_:)`` when both rule sets have these (distinct) rule names in this order.
  private static func byRule(
    _ id: MemberID, _ before: Simulation, _ after: Simulation, names: [String]
  ) -> [(String, Int64)] {
    let x = before.ruleTotals(of: id)
    let y = after.ruleTotals(of: id)
    if x == y { return [] }
    var out: [(String, Int64)] = []
    for i in 0..<min(names.count, max(x.count, y.count)) {
      let delta = (i < y.count ? y[i] : 0) &- (i < x.count ? x[i] : 0)
      if delta != 0 { out.append((names[i], delta)) }
    }
    return out.sorted { $0.0 < $1.0 }
  }

  /// after - before, per rule, nonzero only, sorted by rule name.
  private func byRule(_ id: MemberID, _ before: Simulation, _ after: Simulation) -> [(String, Int64)] {
    var totals: [String: Int64] = [:]
    for (rule, amount) in after.amounts(byRuleOf: id) { totals[rule, default: 0] += amount }
    for (rule, amount) in before.amounts(byRuleOf: id) { totals[rule, default: 0] -= amount }
    return totals.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
  }
}
