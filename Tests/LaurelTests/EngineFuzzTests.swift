import Foundation
import Laurel
import LaurelTesting
import Testing

/// A bounded property-based run of the engine fuzzing harness (the long runs
/// are `Scripts/fuzz.sh`, under libFuzzer): random rule values and random
/// actions must give outcomes, never a trap, and keep the engine's invariants.
@Suite struct EngineFuzzTests {
  struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  /// 400 inputs by default; `LAUREL_FUZZ_RUNS=100000 swift test --filter EngineFuzzTests` for a long run.
  static let runs = UInt64(ProcessInfo.processInfo.environment["LAUREL_FUZZ_RUNS"] ?? "") ?? 400

  @Test func randomRulesAndActionsNeverTrap() {
    var loaded = 0
    for seed in 0..<Self.runs {
      var rng = SplitMix(state: seed)
      let input = (0..<Int.random(in: 64...900, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
      let (failures, compiled) = EngineFuzzing.runReporting(input)
      if compiled { loaded += 1 }
      #expect(failures.isEmpty, "seed \(seed): \(failures)")
    }
    #expect(loaded > Self.runs / 2, "most inputs must give valid rules, or the actions are never run (\(loaded) of \(Self.runs))")
  }
}
