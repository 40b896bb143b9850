import Foundation
import LaurelExpression
import LaurelRules
import Testing

@testable import Laurel

/// Conditions on the action alone are decided from its fields
/// (``ActionCondition``); badge conditions made of comparisons are read from
/// the state (``BadgeCheck``). Both must give what evaluating gives.
@Suite struct ActionConditionTests {
  static let yaml = """
    scheme: conditions
    fields: { owner: string, asker: string, wiki: bool, amount: int }
    let:
      wiki: has(event.wiki) && event.wiki
      pays_owner: has(event.owner) && !wiki
      own_question: has(event.asker) && event.asker == event.user
    currencies: { points: {} }
    actions:
      acted:
        - when: pays_owner
          award: { points: 1 }
        - when: own_question || event.amount >= 50
          award: { points: 1 }
        - when: "!(event.owner == event.user) && true"
          award: { points: 1 }
        - when: event.owner != event.asker || !has(event.amount)
          award: { points: 1 }
        - when: event.wiki
          award: { points: 1 }
    """

  /// Every combination of present, absent and differing fields.
  static var actions: [String] {
    var lines: [String] = []
    for owner in [nil, "u1", "u2"] {
      for asker in [nil, "u1", "u2"] {
        for wiki in [nil, true, false] {
          for amount in [nil, 10, 60] {
            var json = #"{"id":"a\#(lines.count)","type":"acted","at":"2026-03-01T10:00:00Z","user":"u1""#
            if let owner { json += #","owner":"\#(owner)""# }
            if let asker { json += #","asker":"\#(asker)""# }
            if let wiki { json += #","wiki":\#(wiki)"# }
            if let amount { json += #","amount":\#(amount)"# }
            lines.append(json + "}")
          }
        }
      }
    }
    // CEL compares strings by code points: a decomposed "é" is not the user's precomposed one.
    lines.append(#"{"id":"e1","type":"acted","at":"2026-03-01T10:00:00Z","user":"\#u{e9}","owner":"e\#u{301}"}"#)
    return lines
  }

  @Test func aConditionDecidedFromTheFieldsIsWhatEvaluatingGives() throws {
    let rules = try RuleLoader().load(text: Self.yaml, file: "conditions.yaml")
    let plan = rules.actions[0]
    #expect(plan.rules.allSatisfy { $0.actionCondition != nil })
    let evaluator = Evaluator(rules: rules)
    let decoder = ActionDecoder(rules: rules)
    var decided = 0
    for line in Self.actions {
      let action = try decoder.decode(line)
      evaluator.bind(action, plan)
      for rule in plan.rules {
        let evaluated = try? rule.when!.evaluate(evaluator.activation)
        guard let answer = rule.actionCondition!.decide(action) else {
          continue  // undecided: the engine evaluates, so any answer is right
        }
        decided += 1
        #expect(evaluated == .bool(answer), "\(rule.when!.source) on \(line)")
      }
    }
    // 82 actions, 5 rules; undecided only where an absent value matters:
    // 81 + (27 own questions + 36 with an amount) + 54 with an owner
    // + (27 without an amount + 36 with owner and asker - 12 counted twice) + 54 with wiki,
    // and 3 for the last action (rules 1, 3 and 4).
    #expect(decided == 306)
  }

  /// A condition with arithmetic, calls or `member.*` is evaluated.
  @Test func conditionsBeyondFieldTestsAreEvaluated() throws {
    let rules = try RuleLoader().load(
      text: """
        scheme: evaluated
        fields: { amount: int, tag: string }
        currencies: { points: {} }
        actions:
          acted:
            - when: event.amount * 2 > 10
              award: { points: 1 }
            - when: event.tag.startsWith("x")
              award: { points: 1 }
            - when: member.balances.points >= 1
              award: { points: 1 }
            - when: event.tag == "x" && event.amount != 3
              award: { points: 1 }
        """, file: "evaluated.yaml")
    #expect(rules.actions[0].rules.map { $0.actionCondition != nil } == [false, false, false, true])
  }

  /// Every Stack Exchange badge is read from the state, conjunctions
  /// (Self-Learner, Enlightened) included, and its key from a field.
  @Test func stackExchangeBadgesAreReadWithoutEvaluating() throws {
    let rules = try RuleLoader().load(
      text: try String(
        contentsOf: Scenario.repository.appendingPathComponent("rules/stack-exchange.yaml"), encoding: .utf8),
      file: "stack-exchange.yaml")
    let (checks, comparisons) = BadgeCheck.make(rules)
    #expect(checks.allSatisfy { $0.comparisons != nil })
    #expect(checks.filter(\.keyed).allSatisfy { $0.keyField != nil })
    let enlightened = try #require(rules.badges.firstIndex { $0.name == "enlightened" })
    #expect(checks[enlightened].comparisons?.count == 3)
    #expect(comparisons.count == 16)
  }
}
