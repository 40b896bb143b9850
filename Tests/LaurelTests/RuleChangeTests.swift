import Foundation
import Laurel
import LaurelReplay
import LaurelReports
@testable import LaurelSQLite
import Testing

/// A store keeps working when its rules change: state is carried over by
/// name, never read at the wrong position; rules that would lose state or
/// belong to another scheme are refused with nothing changed.
@Suite struct RuleChangeTests {
  let folder: URL
  /// Removed with the suite instance, after each test.
  let temporary: TemporaryFolder
  let original: String

  init() throws {
    temporary = try TemporaryFolder("laurel-rule-change")
    folder = temporary.url
    original = try String(
      contentsOf: Scenario.repository.appendingPathComponent("rules/community-points.yaml"), encoding: .utf8)
  }

  func compile(_ yaml: String) throws -> CompiledRules { try Scenario(yaml: yaml).rules }

  /// A store built under the original rules: u1 has 2 + 5 points and completed lesson L1.
  func makeStore() async throws -> SQLiteStore {
    let store = try SQLiteStore(path: folder.appendingPathComponent("store.sqlite").path)
    let rules = try compile(original)
    try store.adopt(rules, files: [("points.yaml", original)])
    try await apply(
      rules, store,
      [
        #"{"id":"a1","type":"post_created","at":"2026-03-01T10:00:00Z","community":"c1","user":"u1","author":"u1","post":"p1"}"#,
        #"{"id":"a2","type":"lesson_completed","at":"2026-03-01T11:00:00Z","community":"c1","user":"u1","lesson":"L1"}"#,
      ])
    return store
  }

  func apply(_ rules: CompiledRules, _ store: SQLiteStore, _ lines: [String]) async throws {
    let engine = Engine(rules: rules, store: store)
    for line in lines { _ = try await engine.apply(json: line) }
  }

  func report(_ rules: CompiledRules, _ store: SQLiteStore) async throws -> MemberProfile? {
    SimulationReport(rules: rules, members: try await store.members()).members.first
  }

  @Test func aCurrencyAddedBeforeAnotherKeepsEveryBalanceByName() async throws {
    let store = try await makeStore()
    let yaml = original.replacingOccurrences(of: "currencies:\n  points:", with: "currencies:\n  karma: {}\n  points:")
    let rules = try compile(yaml)
    let adoption = try store.adopt(rules, files: [("points.yaml", yaml)])
    #expect(adoption.migratedMembers == 1)
    #expect(adoption.migration?.additions == ["currency 'karma'"])
    let member = try #require(try await report(rules, store))
    #expect(member.balances.map { "\($0.currency)=\($0.amount)" } == ["karma=0", "points=7"])
  }

  @Test func aLadderAndACounterAddedStartFromTheMembersState() async throws {
    let store = try await makeStore()
    let yaml = original.replacingOccurrences(
      of: "ladders:\n",
      with:
        "counters:\n  posts: {}\n\nladders:\n  stars:\n    currency: points\n    tiers:\n      - { name: One, at: 0 }\n      - { name: Two, at: 5 }\n"
    )
    let rules = try compile(yaml)
    try store.adopt(rules, files: [("points.yaml", yaml)])
    let member = try #require(try await report(rules, store))
    #expect(member.tier("stars")?.name == "Two", "ranked from the 7 points held")
    #expect(member.tier("level")?.name == "Learner")
    // The engine runs on the carried-over states (it trapped on a short counter array before).
    try await apply(
      rules, store,
      [
        #"{"id":"a3","type":"post_created","at":"2026-03-02T10:00:00Z","community":"c1","user":"u1","author":"u1","post":"p2"}"#
      ])
    #expect(try await report(rules, store)?.balances.first?.amount == 9)
  }

  @Test func onceperKeysFollowTheirRuleWhenRulesAreRenumbered() async throws {
    let store = try await makeStore()
    // A new action type declared first moves every rule one position down.
    let yaml = original.replacingOccurrences(
      of: "actions:\n", with: "actions:\n  welcomed:\n    - award: { points: 1 }\n")
    let rules = try compile(yaml)
    try store.adopt(rules, files: [("points.yaml", yaml)])
    try await apply(
      rules, store,
      [
        #"{"id":"a3","type":"lesson_completed","at":"2026-03-02T11:00:00Z","community":"c1","user":"u1","lesson":"L1"}"#
      ])
    #expect(try await report(rules, store)?.balances.first?.amount == 7, "L1 was completed before: it pays once")
  }

  @Test func rulesThatDropStateAreRefusedUnlessAskedFor() async throws {
    let store = try await makeStore()
    let yaml = original.replacingOccurrences(of: "currencies:\n  points:", with: "currencies:\n  karma: {}\n  points:")
    try store.adopt(try compile(yaml), files: [("points.yaml", yaml)])
    let before = try await store.members()
    #expect(throws: SQLiteStore.RuleChangeError.self) {
      try store.adopt(try compile(original), files: [("points.yaml", original)])
    }
    do { try store.adopt(try compile(original), files: [("points.yaml", original)]) } catch let error
      as SQLiteStore.RuleChangeError
    {
      #expect(error.kind == .removesState)
      #expect(error.description.contains("currency 'karma'"))
    }
    #expect(try await store.members().map(\.1) == before.map(\.1), "nothing changed")
    try store.adopt(try compile(original), files: [("points.yaml", original)], droppingRemovedState: true)
    #expect(try await report(try compile(original), store)?.balances.map(\.amount) == [7])
  }

  @Test func anotherSchemeIsRefusedAndTheStoreIsUntouched() async throws {
    let store = try await makeStore()
    let before = try await store.members()
    let other = try String(
      contentsOf: Scenario.repository.appendingPathComponent("rules/xp-grades-badges.yaml"), encoding: .utf8)
    #expect {
      try store.adopt(try compile(other), files: [("xp.yaml", other)])
    } throws: { error in
      (error as? SQLiteStore.RuleChangeError)?.kind == .incompatible
    }
    #expect(try await store.members().map(\.1) == before.map(\.1))
    #expect(try store.ruleFiles().map(\.path) == ["points.yaml"])
  }

  @Test func anEngineWithRulesTheStoreDidNotAdoptIsRefusedNotATrap() async throws {
    let store = try await makeStore()
    let yaml = original.replacingOccurrences(of: "currencies:\n  points:", with: "currencies:\n  karma: {}\n  points:")
    let engine = Engine(rules: try compile(yaml), store: store)
    let post =
      #"{"id":"a3","type":"post_created","at":"2026-03-02T10:00:00Z","community":"c1","user":"u1","author":"u1","post":"p2"}"#
    await #expect(throws: RulesMismatch.self) { try await engine.apply(json: post) }
    #expect(try await store.loggedActions().count == 2, "nothing applied")
  }
}
