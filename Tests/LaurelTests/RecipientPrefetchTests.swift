import Foundation
@testable import Laurel
import LaurelExpression
import LaurelRules
import Testing

/// A replay prefetches the members an action will credit before applying it
/// (``RecipientPrefetch``). A wrong guess costs only speed, which no other
/// test would notice, so these check the guesses against what the engine did.
@Suite struct RecipientPrefetchTests {
  /// A shipped scheme and its sample history (`rules/examples/<history>.jsonl`), decoded.
  static func shipped(_ scheme: String, history: String) throws -> (CompiledRules, [PreparedAction]) {
    let rules = try RuleLoader().load(paths: [
      Scenario.repository.appendingPathComponent("rules/\(scheme).yaml").path
    ])
    let text = try String(
      contentsOf: Scenario.repository.appendingPathComponent("rules/examples/\(history).jsonl"), encoding: .utf8)
    let decoder = ActionDecoder(rules: rules)
    return (rules, text.split(separator: "\n").compactMap { try? decoder.decode(String($0)) })
  }

  @Test func guessesTheMembersAndOncePerKeysEachActionClaims() throws {
    let (rules, actions) = try Self.shipped("community-points", history: "community-history")
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

extension RecipientPrefetchTests {
  /// The Stack Exchange scheme's actions are about a post (an object): its
  /// state is guessed with the members, and a voter whom no rule credits is not.
  @Test func guessesEachActionsPostAndNotAVoterNoRuleCredits() throws {
    let (rules, actions) = try Self.shipped("stack-exchange", history: "stack-exchange-history")
    let direct = Evaluator(rules: rules).direct
    let prefetch = try #require(RecipientPrefetch(rules, direct: direct))
    let post = try #require(rules.objects.firstIndex { $0.name == "post" })
    let postField = try #require(rules.objects[post].keyField)
    var posts = 0
    var upvotes = 0
    actions.withUnsafeBufferPointer { buffer in
      for i in buffer.indices {
        var guesses: [RecipientPrefetch.Guess] = []
        prefetch.forEachGuess(of: buffer, i..<i + 1) { guesses.append($0) }
        // Actions of the types applied in one pass that load the post (not
        // a question asked, nor a bounty, which takes the general path).
        if let type = buffer[i].typeIndex, direct.plans[type]?.loadsObjects == true,
          case .string(let key)? = buffer[i].fields[postField].value
        {
          posts += 1
          let id = MemberKey(rules.objectID(post, key: key, scope: nil)).hash
          #expect(guesses.contains { $0.member == id }, "action \(buffer[i].id): post \(key) not guessed")
        }
        if buffer[i].type == "answer_upvoted" {
          upvotes += 1
          let voter = MemberKey(MemberID(scope: nil, user: buffer[i].user)).hash
          #expect(!guesses.contains { $0.member == voter }, "action \(buffer[i].id): the voter was guessed")
        }
      }
    }
    #expect(posts > 1000 && upvotes > 100, "\(posts) actions with a post, \(upvotes) answer upvotes")
  }
}
