import Foundation
import Laurel
import LaurelReplay
import LaurelRules

/// `rules/stack-exchange.yaml` (keyed counters, 13 badges, a net cap, named
/// conditions) on a generated history, against seed 004's scheme on its
/// workload in the same run; and the same Stack Exchange rules without their
/// badges, which gives what checking badges costs per action.
enum StackExchangeBench {
  static func run(_ workload: Workload) throws {
    print("\n== Stack Exchange scheme (\(workload.events) generated actions) against the community scheme")
    let path = workload.repository.appendingPathComponent("rules/stack-exchange.yaml").path
    let yaml = try String(contentsOfFile: path, encoding: .utf8)
    let full = try RuleLoader().load(text: yaml, file: "stack-exchange.yaml")
    guard let badges = yaml.range(of: "\nbadges:") else {
      print("rules/stack-exchange.yaml has no badges section")
      return
    }
    let withoutBadges = try RuleLoader().load(text: String(yaml[..<badges.lowerBound]), file: "stack-exchange.yaml")
    var history = StackExchangeHistory(events: workload.events)
    var text = ""
    text.reserveCapacity(workload.events * 120)
    for _ in 0..<workload.events { text += history.nextLine() + "\n" }
    let community = Workload.decode(try Data(contentsOf: workload.eventsFile), rules: workload.rules)
    let stack = Workload.decode(Data(text.utf8), rules: full)
    let stackBare = Workload.decode(Data(text.utf8), rules: withoutBadges)

    let communityRate = rate(community, workload.rules, label: "community scheme (seed 004)")
    let stackRate = rate(stack, full, label: "Stack Exchange scheme")
    let bareRate = rate(stackBare, withoutBadges, label: "Stack Exchange scheme without badges")
    print(
      "ratio Stack Exchange / community: \(Measure.format(stackRate / communityRate, 2)) (goal >= 0.5); badge checks: \(Measure.format(1e9 / stackRate - 1e9 / bareRate, 0)) ns/action"
    )
  }

  /// Actions per second, best of 3; prints the figure and what the replay did.
  private static func rate(_ actions: [PreparedAction], _ rules: CompiledRules, label: String) -> Double {
    var summary = ""
    let seconds = Measure.seconds(rounds: 3) {
      var simulation = Simulation(rules: rules)
      simulation.reserve(actions: actions.count)
      simulation.apply(contentsOf: actions)
      let c = simulation.counts
      summary =
        "\(c.applied) applied, \(c.ignored) ignored, \(c.rejected) rejected, \(simulation.memberCount) members, \(simulation.memberEvents.badgeEarned) badges"
    }
    let rate = Double(actions.count) / seconds
    print(
      "\(label): \(actions.count) actions in \(Measure.format(seconds, 3)) s: \(Measure.format(rate / 1e6, 2)) M actions/s (\(Measure.format(1e9 / rate, 0)) ns/action; \(summary))"
    )
    return rate
  }
}
