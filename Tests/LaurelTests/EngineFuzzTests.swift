import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelSQLite
import LaurelTesting
import Testing

/// A bounded property-based run of the engine fuzzing harness (the long runs
/// are `Scripts/fuzz.sh`, under libFuzzer): random rule values and random
/// actions must give outcomes, never a trap, and keep the engine's invariants.
@Suite struct EngineFuzzTests {
  /// 400 inputs by default; `LAUREL_FUZZ_RUNS=100000 swift test --filter EngineFuzzTests` for a long run.
  static let runs = UInt64(ProcessInfo.processInfo.environment["LAUREL_FUZZ_RUNS"] ?? "") ?? 400

  @Test func randomRulesAndActionsNeverTrap() async {
    var loaded = 0
    for seed in 0..<Self.runs {
      // Seconds of work in all: the other suites' tasks get their turn between inputs.
      await Task.yield()
      var rng = SplitMix64(seed: seed)
      let input = (0..<Int.random(in: 64...900, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
      let (failures, compiled) = EngineFuzzing.runReporting(input)
      if compiled { loaded += 1 }
      #expect(failures.isEmpty, "seed \(seed): \(failures)")
    }
    #expect(
      loaded > Self.runs / 2,
      "most inputs must give valid rules, or the actions are never run (\(loaded) of \(Self.runs))")
  }

  /// The same random schemes and histories through the SQLite store, action
  /// by action, must end where the in-memory replay ends: the store adds
  /// durability, never a different answer.
  @Test func theSQLiteStoreAgreesWithTheReplayOnRandomSchemes() async throws {
    var compared = 0
    for seed in 1_000..<1_060 as Range<UInt64> {
      var rng = SplitMix64(seed: seed)
      let input = (0..<Int.random(in: 200...900, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
      let (compiled, lines, _) = EngineFuzzing.scenario(input)
      guard let rules = compiled else { continue }
      var simulation = Simulation(rules: rules)
      let store = try SQLiteStore(path: ":memory:")
      let engine = Engine(rules: rules, store: store)
      var decoder = ActionDecoder(rules: rules)
      decoder.keepsSource = true
      for (index, line) in lines.enumerated() {
        line.withUnsafeBufferPointer { simulation.apply(jsonLine: $0, line: index + 1) }
        // The bytes as they are (a String would repair bad UTF-8); undecodable lines change nothing anywhere.
        var action = PreparedAction()
        let decoded = line.withUnsafeBufferPointer { bytes in
          Result { () throws(ActionError) in try decoder.decode(bytes, into: &action) }
        }
        if case .success = decoded { _ = try await engine.apply(action) }
      }
      let stored = SimulationReport(rules: rules, members: try await store.members()).json()
      let replayed = SimulationReport(rules: rules, members: simulation.state.sortedMembers()).json()
      #expect(stored == replayed, "seed \(seed)")
      compared += 1
    }
    #expect(compared > 30)
  }
}
