import Foundation
import Laurel
import LaurelExpression
import LaurelRules
import LaurelSQLite
import Testing

/// Seed 004's admin stories on its own rules (9 ratchet levels, course
/// gates), against the SQLite store: configuration, recalculation, course
/// gating, validation errors.
@Suite struct Seed004LevelAdministrationTests {
  let engine: Engine<SQLiteStore>

  init() throws {
    let rules = try RuleLoader().load(paths: [
      Scenario.repository.appendingPathComponent("rules/community-points.yaml").path
    ])
    engine = Engine(rules: rules, store: try SQLiteStore(path: ":memory:"))
  }

  func post(_ id: String, _ author: String, community: String = "c1") async throws {
    let outcome = try await engine.apply(
      json:
        #"{"id":"\#(id)","type":"post_created","at":"2026-03-01T10:00:00Z","community":"\#(community)","user":"\#(author)","author":"\#(author)"}"#
    )
    #expect(outcome.status == .applied)
  }

  static let defaults: [(String, Int64)] = [
    ("Student", 0), ("Learner", 5), ("Builder", 20), ("Contributor", 65), ("Achiever", 155), ("Expert", 515),
    ("Leader", 2015), ("Master", 8015), ("Legend", 33015),
  ]

  func tiers(_ pairs: [(String, Int64)]) -> [TierSetting] { pairs.map { TierSetting(name: $0.0, threshold: $0.1) } }

  @Test func anAdminRenamesLevelsAndLowersThresholdsAndMembersJump() async throws {
    for i in 0..<5 { try await post("p\(i)", "ann") }  // 10 points: level 2 (Learner)
    var custom = Self.defaults
    custom[1] = ("Explorer", 3)
    custom[2] = ("Builder", 10)
    let update = try await engine.setTiers(tiers(custom), ladder: "level", scope: "c1", by: "owner")
    #expect(update.tierChanges.map { "\($0.member.user) \($0.from)->\($0.to) \($0.name)" } == ["ann 2->3 Builder"])
    let ann = try await engine.profile(of: MemberID(scope: "c1", user: "ann"))
    #expect(ann.tier("level")?.rank == 3)
    #expect(ann.tier("level")?.pointsToNext == 55)
    // Seed 004's GET /levels: the community's names with each level's share.
    let levels = try await engine.levels(ladder: "level", scope: "c1", asking: "ann")
    #expect(levels.levels[1].name == "Explorer")
    #expect(levels.levels[2].percentage == 100)
    #expect(levels.askingMemberRank == 3)
    // Another community keeps the defaults.
    let other = try await engine.levels(ladder: "level", scope: "c2")
    #expect(other.levels.map(\.name) == Self.defaults.map(\.0))
  }

  @Test func raisingThresholdsMovesNobodyDown() async throws {
    for i in 0..<10 { try await post("p\(i)", "ann") }  // 20 points: level 3
    var custom = Self.defaults
    custom[2] = ("Builder", 60)
    custom[3] = ("Contributor", 100)
    let update = try await engine.setTiers(tiers(custom), ladder: "level", scope: "c1", by: "owner")
    #expect(update.tierChanges.isEmpty)
    #expect(update.memberEvents.isEmpty)
    #expect(try await engine.profile(of: MemberID(scope: "c1", user: "ann")).tier("level")?.rank == 3)
  }

  @Test func everyValidationErrorIsReportedWithItsField() async throws {
    var custom = Self.defaults
    custom[0] = ("Student", 10)  // level 1 must be 0 (and level 2 is now below it)
    custom[4] = ("learner", 600)  // duplicate of "Learner", ignoring case, and above level 6
    custom[7] = (String(repeating: "x", count: 31), 8015)
    custom[8] = ("<script></script>", 33015)  // empty once the tags are stripped
    do {
      _ = try await engine.setTiers(tiers(custom), ladder: "level", scope: "c1", by: "owner")
      Issue.record("accepted invalid tiers")
    } catch let error as AdminError {
      #expect(error.code == "VALIDATION_ERROR")
      #expect(
        error.problems.map(\.field) == [
          "tiers[0].threshold", "tiers[1].threshold", "tiers[4].name", "tiers[5].threshold", "tiers[7].name",
          "tiers[8].name",
        ])
    }
    do {
      _ = try await engine.setTiers(tiers(Array(Self.defaults.prefix(8))), ladder: "level", scope: "c1", by: "owner")
      Issue.record("accepted 8 levels")
    } catch let error as AdminError {
      #expect(error.problems.map(\.field) == ["tiers"])
    }
    #expect(try await engine.auditLog().isEmpty)
  }

  @Test func aCourseNeedsALevelAndSaysWhichInTheCommunitysWords() async throws {
    var custom = Self.defaults
    custom[2] = ("Maker", 20)
    _ = try await engine.setTiers(tiers(custom), ladder: "level", scope: "c1", by: "owner")
    try await engine.setRequirement(gate: "course", resource: "swift", scope: "c1", rank: 3, by: "owner")
    let locked = try await engine.access(gate: "course", resource: "swift", scope: "c1", user: "ann")
    #expect(!locked.hasAccess)
    #expect(locked.currentRank == 1)
    #expect(locked.message == "Unlock at Level 3 - Maker")
    for i in 0..<10 { try await post("p\(i)", "ann") }
    #expect(try await engine.access(gate: "course", resource: "swift", scope: "c1", user: "ann").hasAccess)
    for rank in [0, 10] {
      await #expect(throws: AdminError.self) {
        try await engine.setRequirement(gate: "course", resource: "swift", scope: "c1", rank: rank, by: "owner")
      }
    }
    try await engine.setRequirement(gate: "course", resource: "swift", scope: "c1", rank: nil, by: "owner")
    #expect(try await engine.requirements(gate: "course", scope: "c1").isEmpty)
    #expect(try await engine.auditLog().map(\.operation) == ["gate.remove", "gate.set", "levels.set"])
  }

  @Test func thresholdsAtTheEdgeOf64BitsAreAcceptedAndRankNobodyThere() async throws {
    try await post("p1", "ann")
    var custom = Self.defaults
    custom[8] = ("Legend", .max)
    let update = try await engine.setTiers(tiers(custom), ladder: "level", scope: "c1", by: "owner")
    #expect(update.tiers.last?.threshold == .max)
    let ann = try await engine.profile(of: MemberID(scope: "c1", user: "ann"))
    #expect(ann.tier("level")?.rank == 1)
    #expect(try await engine.levels(ladder: "level", scope: "c1").levels.last?.threshold == .max)
  }

  @Test func aFixedLadderIsNotOverridable() async throws {
    let rules = try RuleLoader().load(paths: [
      Scenario.repository.appendingPathComponent("rules/xp-grades-badges.yaml").path
    ])
    let engine = Engine(rules: rules, store: InMemoryStore())
    await #expect(throws: AdminError.self) {
      _ = try await engine.setTiers([], ladder: "grade", scope: nil, by: "owner")
    }
  }
}

/// Seed 000's special badges: an admin awards one, once; the profile shows it.
@Suite struct Seed000SpecialBadgeTests {
  @Test func anAdminAwardsASpecialBadgeOnceAndItShowsOnTheProfile() async throws {
    let rules = try RuleLoader().load(paths: [
      Scenario.repository.appendingPathComponent("rules/xp-grades-badges.yaml").path
    ])
    let engine = Engine(rules: rules, store: try SQLiteStore(path: ":memory:"))
    let u1 = MemberID(scope: nil, user: "u1")
    let granted = try await engine.grantBadge("special_recognition", to: u1, by: "admin", reason: "mentor of the month")
    #expect(granted.granted)
    guard case .badgeEarned(let award)? = granted.memberEvent else {
      Issue.record("no badgeEarned event")
      return
    }
    #expect(award.badge == "special_recognition")
    #expect(try await !engine.grantBadge("special_recognition", to: u1, by: "admin").granted)
    let profile = try await engine.profile(of: u1)
    #expect(profile.badges.map(\.title) == ["Special Recognition"])
    #expect(profile.badges.first?.description == "Granted by an admin.")
    #expect(try await engine.store.badgeHolders("special_recognition").map(\.member) == [u1])
    let grants = try await engine.grants(of: u1)
    #expect(grants.map(\.grant.grantedBy) == ["admin"])
    #expect(grants.first?.grant.reason == "mentor of the month")
    await #expect(throws: AdminError.self) {
      _ = try await engine.grantBadge("module_expert_contributor", key: "m1", to: u1, by: "admin")
    }
  }
}

/// A `follow` ladder tracks the balance: raising a threshold moves members
/// down, and says so.
@Suite struct FollowLadderRecalculationTests {
  @Test func raisingAThresholdOfAFollowLadderMovesMembersDown() async throws {
    let rules = try RuleLoader().load(
      text: """
        scheme: grades
        members: { scope: event.community }
        fields: { community: string }
        currencies: { xp: {} }
        actions:
          posted:
            - award: { xp: 10 }
        ladders:
          grade:
            currency: xp
            policy: follow
            overridable: true
            tiers:
              - { name: Rookie, at: 0 }
              - { name: Explorer, at: 10 }
        """, file: "grades.yaml")
    let engine = Engine(rules: rules, store: try SQLiteStore(path: ":memory:"))
    _ = try await engine.apply(
      json: #"{"id":"a1","type":"posted","at":"2026-03-01T10:00:00Z","user":"ann","community":"c1"}"#)
    #expect(try await engine.profile(of: MemberID(scope: "c1", user: "ann")).tier("grade")?.name == "Explorer")
    let update = try await engine.setTiers(
      [TierSetting(name: "Rookie", threshold: 0), TierSetting(name: "Explorer", threshold: 50)], ladder: "grade",
      scope: "c1", by: "admin")
    #expect(update.tierChanges.map { "\($0.from)->\($0.to)" } == ["2->1"])
    guard case .leveledDown? = update.memberEvents.first else {
      Issue.record("no leveledDown event: \(update.memberEvents)")
      return
    }
    #expect(try await engine.profile(of: MemberID(scope: "c1", user: "ann")).tier("grade")?.rank == 1)
  }
}
