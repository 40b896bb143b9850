import Foundation
import Laurel
import LaurelReplay
import LaurelReports

/// The engine alone: actions decoded up front, then applied in memory.
enum EngineBench {
  static func run(_ workload: Workload) throws {
    print("\n== engine on already-decoded actions (\(workload.events) community events)")
    let prepared = Workload.decode(try Data(contentsOf: workload.eventsFile), rules: workload.rules)
    for blocks in [false, true] {
      var members = 0
      let seconds = Measure.seconds(rounds: 5) {
        var simulation = Simulation(rules: workload.rules)
        simulation.reserve(actions: prepared.count)
        if blocks {
          simulation.apply(contentsOf: prepared)
        } else {
          for i in prepared.indices { simulation.apply(prepared[i]) }
        }
        members = simulation.state.memberCount
      }
      let rate = Double(prepared.count) / seconds
      let how = blocks ? "apply(contentsOf:), ids and members prefetched ahead" : "apply(_:), one at a time"
      print(
        "\(how): applied \(prepared.count) actions to \(members) members in \(Measure.format(seconds, 3)) s: \(Measure.format(rate / 1e6, 2)) M actions/s (\(Measure.format(1e9 / rate, 0)) ns/action; bar: 3 M/s)"
      )
    }
  }
}
