import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelSQLite
import Testing

/// Numbers at Int64's edges, from actions or rules: each gives a rejected
/// action with a reason or a saturated value, never a trap, and the good
/// actions around a bad one are applied.
@Suite struct HostileValuesTests {
  let rules = try! Scenario(
    yaml: """
      scheme: hostile
      fields: { n: int }
      currencies: { points: { floor: 0 }, raw: {} }
      counters: { total: {} }
      actions:
        took: [ { deduct: { points: event.n } } ]
        gave: [ { award: { raw: event.n } } ]
        counted: [ { count: { total: event.n } } ]
      """
  ).rules

  func action(_ id: String, _ type: String, _ n: String) -> String {
    #"{"id":"\#(id)","type":"\#(type)","at":"2026-03-01T10:00:00Z","user":"u","n":\#(n)}"#
  }

  @Test func aNegativeComputedAmountIsRejectedWithAReason() async throws {
    let engine = Engine(rules: rules, store: InMemoryStore())
    let outcome = try await engine.apply(json: action("a", "took", "-9223372036854775808"))
    #expect(
      outcome.status
        == .rejected(
          ActionError(
            .ruleFailed,
            "action a: rule 'took': the amount of points is negative (-9223372036854775808); amounts are 0 or more")))
    if case .rejected = try await engine.apply(json: action("b", "gave", "-5")).status {
    } else {
      Issue.record("a negative award was applied")
    }
    #expect(try await engine.store.members().isEmpty, "nothing was applied")
  }

  @Test func balancesAndCountersSaturateInsteadOfWrapping() async throws {
    let engine = Engine(rules: rules, store: InMemoryStore())
    for id in ["a", "b"] {
      #expect(try await engine.apply(json: action("g" + id, "gave", "9223372036854775807")).status == .applied)
      #expect(try await engine.apply(json: action("c" + id, "counted", "9223372036854775807")).status == .applied)
    }
    let state = try #require(try await engine.store.members().first?.1)
    #expect(state.balances[1] == .max)
    #expect(state.counters[0].total == .max, "a counter held at the top, not wrapped to Int64.min")
  }

  @Test func anIngestAroundABadActionCommitsTheGoodOnes() async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "laurel-hostile-\(UUID().uuidString).sqlite"
    ).path
    let store = try SQLiteStore(path: path)
    let importer = try SQLiteImporter<Int>(engine: Engine(rules: rules, store: store))
    var decoder = ActionDecoder(rules: rules)
    decoder.keepsSource = true
    let lines = [action("1", "gave", "3"), action("2", "took", "-9223372036854775808"), action("3", "gave", "4")]
    var outcomes: [Outcome] = []
    for done in try await importer.submit(try lines.map { try decoder.decode($0) }, tag: 0) {
      outcomes += done.outcomes
    }
    for done in try await importer.finish() { outcomes += done.outcomes }
    #expect(outcomes.map { $0.status == .applied } == [true, false, true])
    #expect(try await store.members().first?.1.balances[1] == 7)
  }
}
