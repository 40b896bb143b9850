import Foundation
import Laurel
import LaurelTesting
import Testing

/// A bounded property-based run of the engine fuzzing harness (the long runs
/// are `Scripts/fuzz.sh`, under libFuzzer): random rule values and random
/// actions must give outcomes, never a trap, and keep the engine's invariants.
@Suite struct EngineFuzzTests {
  /// 400 inputs by default; `LAUREL_FUZZ_RUNS=100000 swift test --filter EngineFuzzTests` for a long run.
  static let runs = UInt64(ProcessInfo.processInfo.environment["LAUREL_FUZZ_RUNS"] ?? "") ?? 400

  @Test func randomRulesAndActionsNeverTrap() {
    var loaded = 0
    for seed in 0..<Self.runs {
      var rng = SplitMix64(seed: seed)
      let input = (0..<Int.random(in: 64...900, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
      let (failures, compiled) = EngineFuzzing.runReporting(input)
      if compiled { loaded += 1 }
      #expect(failures.isEmpty, "seed \(seed): \(failures)")
    }
    #expect(loaded > Self.runs / 2, "most inputs must give valid rules, or the actions are never run (\(loaded) of \(Self.runs))")
  }
}
