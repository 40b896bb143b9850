import Foundation
@testable import Laurel
import LaurelRules
import Testing

/// A replay prefetches the members an action will credit before applying it
/// (``RecipientPrefetch``). A wrong guess costs only speed, which no other
/// test would notice, so these check the guesses against what the engine did.
@Suite struct RecipientPrefetchTests {
  @Test func guessesTheMembersAndOncePerKeysEachActionClaims() throws {
    let rules = try RuleLoader().load(paths: [
      Scenario.repository.appendingPathComponent("rules/community-points.yaml").path
    ])
    let history = try String(
      contentsOf: Scenario.repository.appendingPathComponent("rules/examples/community-history.jsonl"), encoding: .utf8)
    let decoder = ActionDecoder(rules: rules)
    let actions = history.split(separator: "\n").compactMap { try? decoder.decode(String($0)) }
    let prefetch = try #require(RecipientPrefetch(rules, direct: Evaluator(rules: rules).direct))
    var simulation = Simulation(rules: rules)
    var credited = 0
    var claimed = 0
    actions.withUnsafeBufferPointer { buffer in
      for i in buffer.indices {
        var guesses: [RecipientPrefetch.Guess] = []
        prefetch.forEachGuess(of: buffer, i..<i + 1) { guesses.append($0) }
        let onceKeysBefore = simulation.state.onceKeys.count
        simulation.apply(buffer[i])
        for entry in simulation.lastOutcome.ledger {
          credited += 1
          #expect(
            guesses.contains { $0.member == MemberKey(entry.member).hash },
            "action \(buffer[i].id) credited \(entry.member), not guessed")
        }
        for key in simulation.state.onceKeys[onceKeysBefore...] {
          claimed += 1
          #expect(
            guesses.contains { $0.onceKey == fnv1a(key.key) && $0.rule == key.rule },
            "action \(buffer[i].id) claimed once-per key \(key.key), not guessed")
        }
      }
    }
    #expect(credited > 1000 && claimed > 50)
  }
}
