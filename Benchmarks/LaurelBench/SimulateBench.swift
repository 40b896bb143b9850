import Foundation
import Laurel
import LaurelReplay
import LaurelReports

/// End to end: read, decode, apply and report a JSONL history, against
/// shared/bench/baseline.c doing the same work, in the same run.
enum SimulateBench {
  static func run(_ workload: Workload) throws {
    print("\n== simulate: \(workload.events) community events, JSONL in, JSON report out")
    let baseline = try workload.baseline()
    // Five rounds alternate laurel and baseline.c, best of each: this machine's
    // speed drifts by up to half over tens of seconds, and measuring one
    // side after the other let the drift decide the ratio.
    var members = 0
    var laurel = Double.infinity
    var best = Double.infinity
    for _ in 0..<5 {
      laurel = min(
        laurel,
        try Measure.seconds(rounds: 1) {
          var simulation = Simulation(rules: workload.rules)
          try simulation.run(path: workload.eventsFile.path)
          let json = simulation.report().json()
          blackHole(json)
          members = simulation.state.memberCount
        })
      if let baseline { best = min(best, try Measure.run([baseline.path, workload.eventsFile.path]).seconds) }
    }
    let rate = Double(workload.events) / laurel
    print(
      "laurel (in process)  \(Measure.format(laurel, 3)) s   \(Measure.format(rate / 1e3, 0)) k events/s   \(members) members"
    )
    guard baseline != nil else {
      print("baseline.c not available (needs ../shared/bench and gcc with libsqlite3-dev): no ratio")
      return
    }
    print(
      "baseline.c           \(Measure.format(best, 3)) s   \(Measure.format(Double(workload.events) / best / 1e3, 0)) k events/s"
    )
    print("ratio: laurel runs at \(Measure.format(best / laurel, 3)) of baseline.c's throughput (bar: >= 0.333)")
    try memory(workload, members: members)
  }

  /// Peak RSS of `laurel simulate` on the workload and on one with 5x the users,
  /// to separate the cost per member from fixed and per-action costs.
  static func memory(_ workload: Workload, members: Int) throws {
    let laurel = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
      "laurel")
    guard FileManager.default.isExecutableFile(atPath: laurel.path) else {
      print("memory: build the laurel product in the same configuration to measure peak RSS")
      return
    }
    let many = try Workload.prepare(events: workload.events, users: 100_000, seed: 42)
    /// The lowest of three runs' peaks: how many decoded batches wait between
    /// the two threads at the peak depends on scheduling (up to ~15 MiB): with
    /// one run each, the same build gave 565 and 923 bytes per member.
    func peak(_ w: Workload) throws -> (Int, Int) {
      var kib = Int.max
      for _ in 0..<3 {
        let run = try Measure.run([
          laurel.path, "simulate", "--rules", w.rulesPath, "--events", w.eventsFile.path, "--format", "json",
        ])
        kib = min(kib, run.peakKiB ?? 0)
      }
      var s = Simulation(rules: w.rules)
      try s.run(path: w.eventsFile.path)
      return (kib, s.state.memberCount)
    }
    let (kibA, membersA) = try peak(workload)
    let (kibB, membersB) = try peak(many)
    let perMember = Double(kibB - kibA) * 1024 / Double(max(1, membersB - membersA))
    print(
      "memory: peak RSS (lowest of 3 runs) \(kibA / 1024) MiB with \(membersA) members, \(kibB / 1024) MiB with \(membersB) members (same \(workload.events) events)"
    )
    print(
      "        marginal cost \(Measure.format(perMember, 0)) bytes per member (bar: < 1024); whole-process peak / members = \(kibA * 1024 / max(membersA, 1)) bytes"
    )
  }
}
