import Foundation
import LaurelExpression

/// "What would this rule change do?": replays one history under two rule
/// sets and reports who gains or loses what, and why.
///
/// ```swift
/// let report = try RuleChangeAnalysis(from: current, to: proposed).run(path: "history.jsonl")
/// print(report.table())
/// ```
///
/// The two replays run concurrently (each on its own thread), so a diff takes
/// about the wall time of one simulation on a machine with two free cores.
public struct RuleChangeAnalysis: Sendable {
  public let from: CompiledRules
  public let to: CompiledRules
  /// How many gainers and losers the report lists.
  public var topCount = 10

  public init(from: CompiledRules, to: CompiledRules) {
    self.from = from
    self.to = to
  }

  /// Replays the JSONL file at `path` under both rule sets and compares the results.
  public func run(path: String, progress: (@Sendable (Int) -> Void)? = nil) throws -> DiffReport {
    final class Replay: @unchecked Sendable {
      // Invariant: written only by its own thread, read after join.
      var simulation: Simulation
      var failure: (any Error)?
      init(_ rules: CompiledRules) {
        simulation = Simulation(rules: rules)
        simulation.tracksRules = true
      }
    }
    let before = Replay(from)
    let after = Replay(to)
    let group = DispatchGroup()
    for (replay, report) in [(before, progress), (after, nil)] {
      group.enter()
      let thread = Thread {
        do { try replay.simulation.run(path: path, parallel: false, progress: report) } catch { replay.failure = error }
        group.leave()
      }
      thread.stackSize = 1 << 22
      thread.start()
    }
    group.wait()
    if let failure = before.failure ?? after.failure { throw failure }
    return compare(before.simulation, after.simulation)
  }

  /// Compares two finished simulations of the same history.
  public func compare(_ before: Simulation, _ after: Simulation) -> DiffReport {
    let a = before.report().members
    let b = after.report().members
    var changes: [DiffReport.Change] = []
    var i = 0
    var j = 0
    var compared = 0
    while i < a.count || j < b.count {
      let left = i < a.count ? a[i] : nil
      let right = j < b.count ? b[j] : nil
      let old: SimulationReport.Member?
      let new: SimulationReport.Member?
      if let l = left, let r = right, l.id == r.id {
        (old, new) = (l, r)
        i += 1
        j += 1
      } else if let l = left, right == nil || l.id < right!.id {
        (old, new) = (l, nil)
        i += 1
      } else {
        (old, new) = (nil, right)
        j += 1
      }
      compared += 1
      let id = (old ?? new)!.id
      guard let change = DiffReport.Change(id: id, before: old, after: new, byRule: byRule(id, before, after)) else {
        continue
      }
      changes.append(change)
    }
    return DiffReport(
      from: from.scheme, to: to.scheme, events: after.counts, membersCompared: compared, changes: changes,
      before: a, after: b, fromRules: from, toRules: to, topCount: topCount)
  }

  /// after - before, per rule, nonzero only, sorted by rule name.
  private func byRule(_ id: MemberID, _ before: Simulation, _ after: Simulation) -> [(String, Int64)] {
    var totals: [String: Int64] = [:]
    for (rule, amount) in after.amounts(byRuleOf: id) { totals[rule, default: 0] += amount }
    for (rule, amount) in before.amounts(byRuleOf: id) { totals[rule, default: 0] -= amount }
    return totals.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
  }
}
