import Foundation
import LaurelRules
import Testing

/// Broken rule files and the exact diagnostics `laurel validate` prints for them.
@Suite struct LoaderDiagnosticsTests {
  static let cases: [(String, String, [String])] = [
    (
      "misspelt top-level key",
      "scheme: test\ncurrency: { xp: {} }\n",
      ["broken.yaml:2:1: error: unknown key 'currency' in a rule file; did you mean 'currencies'?"]
    ),
    (
      "misspelt rule key",
      RuleFiles.base + "\nactions:\n  post_created:\n    - awrd: { xp: 2 }\n",
      [
        "broken.yaml:8:7: error: unknown key 'awrd' in a rule of 'post_created'; did you mean 'award'?",
        "broken.yaml:8:7: error: rule 'post_created' does nothing: give it 'award', 'deduct', 'count' or 'progress'",
      ]
    ),
    (
      "a number that is not a number",
      "scheme: test\ncurrencies: { xp: { floor: zero } }\n",
      ["broken.yaml:2:28: error: floor must be a whole number, not 'zero'"]
    ),
    (
      "an unknown currency in an award",
      RuleFiles.base + "\nactions:\n  post_created:\n    - award: { pxp: 2 }\n",
      ["broken.yaml:8:16: error: unknown currency 'pxp'; did you mean 'xp'?"]
    ),
    (
      "a misspelt field in a condition",
      RuleFiles.base + "\nactions:\n  live_watched:\n    - when: event.minuts >= 5\n      award: { xp: 1 }\n",
      ["broken.yaml:8:19: error: unknown field 'minuts' on 'event'; did you mean 'minutes'?"]
    ),
    (
      "a quoted expression points past the quote",
      RuleFiles.base + "\nactions:\n  live_watched:\n    - award: { xp: \"event.minutes * 1.5\" }\n",
      [
        "broken.yaml:8:21: error: operator '*' cannot mix int and double; convert one side, e.g. write double(event.minutes) * 1.5"
      ]
    ),
    (
      "an amount that is not a number",
      RuleFiles.base + "\nactions:\n  post_liked:\n    - award: { xp: event.author }\n",
      ["broken.yaml:8:20: error: expected a whole number (int), but this expression gives string"]
    ),
    (
      "a deduction of Int64.min (validate trapped negating it)",
      RuleFiles.base + "\nactions:\n  post_unliked:\n    - deduct: { xp: -9223372036854775808 }\n",
      [
        "broken.yaml:8:21: error: deduct takes an amount of 0 or more, not -9223372036854775808; write the amount without its sign"
      ]
    ),
    (
      "member state where the recipient is being decided",
      RuleFiles.base
        + "\nactions:\n  post_liked:\n    - award: { xp: 1 }\n      to: \"member.balances.xp > 5 ? event.author : event.user\"\n      once_per: member.traits.plan\n",
      [
        "broken.yaml:9:12: error: 'member' is not available in 'to': 'to' decides whose state the rule reads, so it cannot read one; use member.* in when, award, deduct or count",
        "broken.yaml:10:17: error: 'member' is not available in 'once_per': 'once_per' is worked out from the action alone (event.*), before any member is read",
      ]
    ),
    (
      "named values: order, member state in 'to', key outside badges, a reserved name, a broken definition",
      RuleFiles.base
        + "\nlet:\n  long: event.minutes > limit\n  limit: 30\n  rich: member.balances.xp > 5\n  own: key == event.author\n  event: 1\n  broken: event.minuts\n"
        + "actions:\n  post_liked:\n    - award: { xp: 1 }\n      to: \"rich ? event.author : event.user\"\n      when: own || broken\n",
      [
        "broken.yaml:7:25: error: 'limit' is defined further down in let:; a named value can use only those above it",
        "broken.yaml:11:3: error: 'event' is reserved in expressions; give this named value another name",
        "broken.yaml:12:17: error: unknown field 'minuts' on 'event'; did you mean 'minutes'?",
        "broken.yaml:16:12: error: 'rich' reads member.*, which is not available in 'to': 'to' decides whose state the rule reads",
        "broken.yaml:17:13: error: 'own' reads key, which only badge conditions have; it is not available in this expression",
        "broken.yaml:17:20: error: 'broken' is a named value whose definition (line 12) has an error",
      ]
    ),
    (
      "objects: an unknown object, a windowed object counter, member.* for an object's counter, names taken",
      "scheme: test\nfields: { module: string, author: string }\ncurrencies: { xp: {} }\n"
        + "objects:\n  module: event.module\n  member: event.author\nlet:\n  module: 1\n"
        + "counters:\n  done: { of: module }\n  daily: { of: module, window: day }\n  lost: { of: lesson }\n"
        + "actions:\n  lesson_completed:\n    - count: done\n      award: { xp: member.counters.done }\n"
        + "      to: \"module.counters.done > 1 ? event.author : event.user\"\n",
      [
        "broken.yaml:6:3: error: 'member' is reserved in expressions; give this object another name",
        "broken.yaml:8:3: error: 'module' is an object (objects:); give this named value another name",
        "broken.yaml:11:3: error: counter 'daily' is kept by each module, which has no balances or calendar: it cannot take 'tracks', 'earned' or 'window' (use a member's counter for those)",
        "broken.yaml:12:15: error: unknown object 'lesson'",
        "broken.yaml:16:27: error: counter 'done' is kept by each module, not by members: read module.counters.done",
        "broken.yaml:17:12: error: 'module' is not available in 'to': 'to' decides whose state the rule reads, so it cannot read one; use member.* in when, award, deduct or count",
      ]
    ),
    (
      "an object's key from a named value that reads member state",
      "scheme: test\nfields: { post: string, answer: string }\ncurrencies: { xp: {} }\n"
        + "let:\n  rich: member.balances.xp > 5\nobjects:\n  post: \"rich ? event.post : event.answer\"\n",
      [
        "broken.yaml:7:10: error: 'rich' reads member.*, which is not available in an object's key: an object's key is worked out from the action alone (event.*)"
      ]
    ),
    (
      "a negative award",
      RuleFiles.base + "\nactions:\n  post_unliked:\n    - award: { xp: -3 }\n",
      ["broken.yaml:8:20: error: award takes an amount of 0 or more, not -3; to take xp away, use deduct"]
    ),
    (
      "an amount computed from literals is worked out at load time",
      RuleFiles.base + "\nactions:\n  post_unliked:\n    - deduct: { xp: -9223372036854775807 - 1 }\n",
      [
        "broken.yaml:8:21: error: deduct takes an amount of 0 or more, not -9223372036854775808 (-9223372036854775807 - 1)"
      ]
    ),
    (
      "an amount that overflows",
      RuleFiles.base + "\nactions:\n  post_liked:\n    - award: { xp: 9223372036854775807 + 1 }\n",
      ["broken.yaml:8:20: error: the amount 9223372036854775807 + 1 cannot be worked out: integer overflow in '+'"]
    ),
    (
      "an undeclared counter",
      RuleFiles.base + "\nactions:\n  group_message_created:\n    - count: mesages\n",
      ["broken.yaml:8:14: error: unknown counter 'mesages'; did you mean 'messages'?"]
    ),
    (
      "two rules with one id",
      RuleFiles.base + "\nactions:\n  a: [ { id: same, award: { xp: 1 } } ]\n  b: [ { id: same, award: { xp: 2 } } ]\n",
      ["broken.yaml:8:14: error: rule id 'same' is declared twice"]
    ),
    (
      "thresholds that do not increase",
      RuleFiles.base
        + "\nladders:\n  grade:\n    currency: xp\n    tiers:\n      - { name: A, at: 0 }\n      - { name: B, at: 100 }\n      - { name: C, at: 100 }\n",
      [
        "broken.yaml:12:9: error: tier 'C' needs more than 100 (the threshold of 'B'): thresholds must increase strictly"
      ]
    ),
    (
      "a tier limited without a segment",
      RuleFiles.base
        + "\nladders:\n  grade:\n    currency: xp\n    tiers:\n      - { name: A, at: 0 }\n      - { name: B, at: 100, access: Paid }\n",
      ["broken.yaml:11:37: error: tier 'B' limits access, so ladder 'grade' needs a 'segment' trait"]
    ),
    (
      "a tier limited to a value the trait does not have",
      RuleFiles.base
        + "\nladders:\n  grade:\n    currency: xp\n    segment: plan\n    tiers:\n      - { name: A, at: 0 }\n      - { name: B, at: 100, access: Gold }\n",
      ["broken.yaml:12:37: error: 'Gold' is not a value of trait 'plan'"]
    ),
    (
      "a gate on an unknown ladder",
      RuleFiles.base + "\ngates:\n  course: { ladder: levle }\n",
      ["broken.yaml:7:21: error: unknown ladder 'levle' (none are declared)"]
    ),
    (
      "a window that does not exist",
      RuleFiles.base + "\ncaps:\n  daily: { currency: xp, max: 50, per: fortnight }\n",
      ["broken.yaml:7:40: error: per must be day, week or month, not 'fortnight'"]
    ),
    (
      "an unknown time zone",
      "scheme: test\ntime_zone: Mars/Olympus\n",
      [
        "broken.yaml:2:12: error: unknown time zone 'Mars/Olympus'; use UTC, an offset like +02:00, or a name like Europe/Paris"
      ]
    ),
    (
      "a badge that can never be earned",
      RuleFiles.base + "\nbadges:\n  hero: { title: Hero }\n",
      ["broken.yaml:7:3: error: badge 'hero' needs a 'when' condition, or 'manual: true' for badges admins grant"]
    ),
    (
      "invalid YAML",
      "scheme: test\ncurrencies: { xp: [1, 2 }\n",
      ["broken.yaml:2:25: error: invalid YAML: did not find expected ',' or ']'"]
    ),
    (
      "a key given twice",
      "scheme: test\nscheme: other\n",
      ["broken.yaml:1:1: error: a key appears twice in one mapping: scheme"]
    ),
    (
      "an unknown progress state",
      RuleFiles.base
        + "\nprogress:\n  modules: { key: event.module, states: [NotStarted, Done] }\nactions:\n  module_completed: [ { progress: { modules: Completed } } ]\n",
      ["broken.yaml:9:46: error: unknown state 'Completed' of progress 'modules'; its states are NotStarted, Done"]
    ),
    (
      "a negative deduction",
      RuleFiles.base + "\nactions:\n  post_unliked: [ { deduct: { xp: -1 } } ]\n",
      ["broken.yaml:7:35: error: deduct takes an amount of 0 or more, not -1; write the amount without its sign"]
    ),
  ]

  @Test(arguments: cases.map(\.0))
  func reportsExactDiagnostics(for name: String) throws {
    let (_, yaml, expected) = try #require(Self.cases.first { $0.0 == name })
    #expect(try RuleFiles.diagnostics(yaml) == expected, "\(name)")
  }

  @Test func reportsEveryProblemOfAFileInOneRun() throws {
    let yaml =
      RuleFiles.base + """

        actions:
          a: [ { award: { pts: 1 } } ]
          b: [ { when: event.minuts > 1, award: { xp: 1 } } ]
        gates:
          course: { ladder: level }
        """
    #expect(
      try RuleFiles.diagnostics(yaml) == [
        "broken.yaml:7:19: error: unknown currency 'pts'",
        "broken.yaml:8:22: error: unknown field 'minuts' on 'event'; did you mean 'minutes'?",
        "broken.yaml:10:21: error: unknown ladder 'level' (none are declared)",
      ])
  }

  @Test func acceptsEveryShippedScheme() throws {
    let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("rules")
    let schemes = RuleLoader().loadSchemes(paths: [rules.path])
    #expect(schemes.map(\.name).sorted() == ["community-points", "stack-exchange", "xp-grades-badges"])
    #expect(schemes.allSatisfy { $0.rules != nil && $0.diagnostics.isEmpty })
  }
}
