import Foundation
import Laurel
import LaurelSQLite
import Testing

/// A member's cap usage is kept inline for two caps and on the heap beyond
/// (``CapUsages``): a scheme with a third cap must limit by it, and keep it
/// in a store, exactly as by the first two.
@Suite struct CapUsageTests {
  static let yaml = """
    scheme: caps
    currencies: { points: {} }
    caps:
      daily: { currency: points, max: 100, per: day, rules: [liked] }
      monthly: { currency: points, max: 100, per: month, rules: [liked] }
      weekly: { currency: points, max: 25, per: week, rules: [liked] }
    actions:
      liked: [ { award: { points: 10 } } ]
    """

  static func like(_ n: Int, day: Int) -> String {
    #"{"id":"l\#(n)","type":"liked","at":"2026-03-0\#(day)T10:00:0\#(n % 10)Z","user":"ann"}"#
  }

  @Test func theThirdCapLimitsAndIsKeptAcrossReopeningAStore() async throws {
    let temporary = try TemporaryFolder("laurel-caps")
    let path = temporary.url.appendingPathComponent("store.sqlite").path
    let rules = try Scenario(yaml: Self.yaml).rules
    let ann = MemberID(scope: nil, user: "ann")
    do {
      let store = try SQLiteStore(path: path)
      try store.adopt(rules, files: [("caps.yaml", Self.yaml)])
      let engine = Engine(rules: rules, store: store)
      for n in 0..<3 { _ = try await engine.apply(json: Self.like(n, day: 2)) }
      #expect(try await engine.profile(of: ann).balance("points") == 25, "10 + 10 + 5: the weekly cap")
    }
    let engine = Engine(rules: rules, store: try SQLiteStore(path: path))
    let nextDay = try await engine.apply(json: Self.like(3, day: 3))
    #expect(nextDay.ledger.isEmpty, "a new day, the same week: the weekly cap, read back from the store, is used up")
    #expect(try await engine.profile(of: ann).balance("points") == 25)
    let nextWeek = try await engine.apply(json: Self.like(4, day: 9))
    #expect(nextWeek.ledger.map(\.amount) == [10])
  }

  @Test func usagesBeyondTheInlineTwoReadWriteCompareAndEncodeLikeAnArray() throws {
    var usages = CapUsages(repeating: CapUsage(), count: 4)
    for i in usages.indices { usages[i] = CapUsage(window: Int64(i), used: Int64(10 * i)) }
    #expect(usages.map(\.used) == [0, 10, 20, 30])
    var other = usages
    other[3].used += 1
    #expect(other != usages && other[0...2].elementsEqual(usages[0...2]))
    let json = try JSONEncoder().encode(usages)
    #expect(try JSONDecoder().decode([CapUsage].self, from: json) == Array(usages))
    #expect(try JSONDecoder().decode(CapUsages.self, from: json) == usages)
  }
}
