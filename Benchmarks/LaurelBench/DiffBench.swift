import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelRules

/// A diff of two versions of the community scheme against one simulate of the same history.
enum DiffBench {
  static func run(_ workload: Workload) throws {
    print("\n== diff: two versions of the community scheme, \(workload.events) events")
    let text = try String(contentsOfFile: workload.rulesPath, encoding: .utf8)
      .replacingOccurrences(of: "{ name: Builder,     at: 20 }", with: "{ name: Builder,     at: 12 }")
      .replacingOccurrences(
        of: "  post_liked:\n    - award: { points: 1 }", with: "  post_liked:\n    - award: { points: 2 }")
    let edited = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-bench-edited.yaml")
    try text.write(to: edited, atomically: true, encoding: .utf8)
    let proposed = try RuleLoader().load(paths: [edited.path])
    var changed = 0
    let diff = try Measure.seconds {
      let report = try RuleChangeAnalysis(from: workload.rules, to: proposed).run(path: workload.eventsFile.path)
      changed = report.members.count
      blackHole(report.json())
    }
    let simulate = try Measure.seconds {
      var simulation = Simulation(rules: workload.rules)
      try simulation.run(path: workload.eventsFile.path)
      blackHole(simulation.report().json())
    }
    print(
      "diff \(Measure.format(diff, 3)) s (\(changed) members change), simulate \(Measure.format(simulate, 3)) s: diff takes \(Measure.format(diff / simulate, 2))x one simulate (bar: <= 2.2x)"
    )
    let laurel = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
      "laurel")
    guard FileManager.default.isExecutableFile(atPath: laurel.path) else { return }
    let (_, simulateKiB) = try Measure.run([
      laurel.path, "simulate", "--rules", workload.rulesPath, "--events", workload.eventsFile.path, "--format", "json",
    ])
    let (_, diffKiB) = try Measure.run([
      laurel.path, "diff", "--from", workload.rulesPath, "--to", edited.path, "--events", workload.eventsFile.path,
      "--format", "json",
    ])
    if let s = simulateKiB, let d = diffKiB {
      print(
        "memory: diff peak \(d / 1024) MiB vs simulate peak \(s / 1024) MiB: \(Measure.format(Double(d) / Double(s), 2))x (bar: < 2x)"
      )
    }
  }
}
