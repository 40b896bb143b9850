import Laurel
import LaurelReplay
import LaurelReports
import Testing

/// Seed 000 (XP, grades and badges) behaviours, on `rules/xp-grades-badges.yaml`.
@Suite struct XPGradesBadgesTests {
  var scenario: Scenario
  init() throws { scenario = try Scenario("xp-grades-badges.yaml") }

  func action(_ type: String, _ user: String, at time: String, _ extra: String = "") -> String {
    #"{"type":"\#(type)","at":"\#(time)","user":"\#(user)"\#(extra.isEmpty ? "" : "," + extra)}"#
  }

  func message(_ user: String, module: String, at time: String = "2026-03-01T10:00:00Z") -> String {
    action("group_message_created", user, at: time, #""module":"\#(module)""#)
  }

  @Test mutating func paysTheDailyBonusOncePerUTCDayBeforeTheActionsOwnXP() throws {
    let first = try scenario.apply(action("live_comment_created", "ana", at: "2026-03-01T08:00:00Z"))
    #expect(first.ledger.map(\.rule) == ["daily_bonus", "live_comment_created"])
    #expect(first.ledger.map(\.balance) == [5, 7])
    let second = try scenario.apply(action("reply_created", "ana", at: "2026-03-01T23:59:59Z"))
    #expect(second.ledger.map(\.rule) == ["reply_created"])
    let nextDay = try scenario.apply(action("reply_created", "ana", at: "2026-03-02T00:00:00Z"))
    #expect(nextDay.ledger.map(\.rule) == ["daily_bonus", "reply_created"])
    #expect(scenario.balance("ana", "xp") == Int64(5 + 2 + 2 + 5 + 2))
  }

  @Test mutating func paysTheDailyBonusForASessionThatEarnsNothingElse() throws {
    let outcome = try scenario.apply(action("session_started", "ben", at: "2026-03-01T08:00:00Z"))
    #expect(outcome.ledger.map(\.amount) == [5])
  }

  @Test mutating func paysWatchingPerMinute() throws {
    try scenario.apply(action("live_watched", "dev", at: "2026-03-01T08:00:00Z", #""minutes":30"#))
    try scenario.apply(action("replay_watched", "dev", at: "2026-03-01T09:00:00Z", #""minutes":30"#))
    #expect(scenario.balance("dev", "xp") == Int64(5 + 60 + 30))
  }

  @Test mutating func paysStageParticipationOncePerLive() throws {
    try scenario.apply(action("stage_joined", "eve", at: "2026-03-01T08:00:00Z", #""live":"l1""#))
    try scenario.apply(action("stage_joined", "eve", at: "2026-03-01T08:30:00Z", #""live":"l1""#))
    try scenario.apply(action("stage_joined", "eve", at: "2026-03-01T09:00:00Z", #""live":"l2""#))
    #expect(scenario.balance("eve", "xp") == Int64(5 + 20 + 20))
  }

  @Test mutating func awardsTheExpertBadgeAtExactly250MessagesAndNeverTwice() throws {
    for i in 1...249 {
      let outcome = try scenario.apply(message("ana", module: "m1"))
      #expect(outcome.badges.isEmpty, "no badge at message \(i)")
    }
    let at250 = try scenario.apply(message("ana", module: "m1"))
    #expect(at250.badges.map(\.badge) == ["module_expert_contributor"])
    #expect(at250.badges.first?.key == "m1")
    for _ in 1...10 { #expect(try scenario.apply(message("ana", module: "m1")).badges.isEmpty) }
    #expect(scenario.member("ana")?.badges.count == 1)
    #expect(scenario.member("ana")?.counters.first?.byKey.map { "\($0.key)=\($0.count)" } == ["m1=260"])
  }

  @Test mutating func awardsOneExpertBadgePerModule() throws {
    for _ in 1...250 { try scenario.apply(message("ana", module: "m1")) }
    for _ in 1...249 { try scenario.apply(message("ana", module: "m2")) }
    #expect(scenario.member("ana")?.badges.map(\.key) == ["m1"])
    try scenario.apply(message("ana", module: "m2"))
    #expect(scenario.member("ana")?.badges.map(\.key) == ["m1", "m2"])
    // Tables show the title and the key, as people read them.
    let table = scenario.simulation.report().table()
    #expect(table.contains("Module Expert Contributor (m1), Module Expert Contributor (m2)"), "\(table)")
    #expect(!table.contains("module_expert_contributor"))
  }

  /// A badge with a key is earned for a key: an action that gives none
  /// concerns no key of it, whether its condition is read from the state
  /// (`member.counters.posts >= 2`, checked before the key is worked out) or
  /// evaluated (`size(...)`).
  @Test func aKeyedBadgeIsNotEarnedOnAnActionThatGivesNoKey() throws {
    var s = try Scenario(
      yaml: """
        scheme: keys
        fields: { topic: string }
        currencies: { points: {} }
        counters:
          posts: {}
        actions:
          posted:
            - id: count
              count: [posts]
        badges:
          regular:
            key: event.topic
            when: member.counters.posts >= 2
          evaluated:
            key: event.topic
            when: size([member.counters.posts]) == 1 && member.counters.posts >= 2
        """)
    let untitled = #"{"type":"posted","at":"2026-03-01T10:00:00Z","user":"ana"}"#
    for _ in 1...3 { #expect(try s.apply(untitled).badges.isEmpty, "no topic: no key, no badge") }
    let earned = try s.apply(#"{"type":"posted","at":"2026-03-01T10:00:00Z","user":"ana","topic":"swift"}"#)
    #expect(earned.badges.map { "\($0.badge):\($0.key ?? "-")" } == ["regular:swift", "evaluated:swift"])
  }

  @Test mutating func neverAwardsAManualBadgeAutomatically() throws {
    for _ in 1...300 { try scenario.apply(message("ana", module: "m1")) }
    #expect(scenario.member("ana")?.badges.map(\.badge) == ["module_expert_contributor"])
  }

  @Test mutating func gatesGradesByPlan() throws {
    // 5 (bonus) + 2 * 2500 minutes = 5005 xp: Expert needs Paid, so a Free member stays Influencer.
    try scenario.apply(action("live_watched", "fay", at: "2026-03-01T08:00:00Z", #""minutes":2500"#))
    #expect(scenario.balance("fay", "xp") == 5005)
    #expect(scenario.tier("fay", "grade")?.rank == 4)
    #expect(scenario.tier("fay", "grade")?.name == "Influencer")
  }

  @Test mutating func regradesWhenThePlanChanges() throws {
    try scenario.apply(action("live_watched", "fay", at: "2026-03-01T08:00:00Z", #""minutes":2500"#))
    let upgrade = try scenario.apply(
      action("session_started", "fay", at: "2026-03-01T09:00:00Z", #""traits":{"plan":"Paid"}"#))
    #expect(upgrade.tierChanges.map { "\($0.from)->\($0.to) \($0.name)" } == ["4->5 Expert"])
    let downgrade = try scenario.apply(
      action("session_started", "fay", at: "2026-03-01T10:00:00Z", #""traits":{"plan":"Free"}"#))
    #expect(downgrade.tierChanges.map { "\($0.from)->\($0.to) \($0.name)" } == ["5->4 Influencer"])
    #expect(downgrade.memberEvents.contains { if case .leveledDown = $0 { true } else { false } })
  }

  @Test mutating func rejectsAnUnknownPlanAndChangesNothing() throws {
    try scenario.apply(action("session_started", "gus", at: "2026-03-01T08:00:00Z"))
    scenario.applyRaw(
      #"{"id":"p1","type":"session_started","at":"2026-03-02T08:00:00Z","user":"gus","traits":{"plan":"Gold"}}"#)
    #expect(
      scenario.simulation.rejections.map(\.error.message) == [
        "action p1: trait 'plan' must be one of Free, Paid, got 'Gold'"
      ])
    #expect(scenario.balance("gus", "xp") == 5)
  }

  @Test mutating func tracksModuleProgress() throws {
    try scenario.apply(action("module_access_granted", "hal", at: "2026-03-01T08:00:00Z", #""module":"m1""#))
    try scenario.apply(action("module_access_granted", "hal", at: "2026-03-01T08:00:01Z", #""module":"m2""#))
    let done = try scenario.apply(action("module_completed", "hal", at: "2026-03-01T09:00:00Z", #""module":"m1""#))
    #expect(done.progressChanges.map(\.state) == ["Completed"])
    #expect(
      scenario.member("hal")?.progress.first?.items.map { "\($0.key)=\($0.state)" } == [
        "m1=Completed", "m2=InProgress",
      ])
    #expect(scenario.member("hal")?.progress("modules", key: "m2") == "InProgress")
  }

  @Test mutating func followsTheBalanceDownForAFollowLadder() throws {
    var s = try Scenario(
      yaml: """
        scheme: follow
        currencies: { xp: {} }
        actions:
          gain: [ { award: { xp: 150 } } ]
          loss: [ { deduct: { xp: 100 } } ]
        ladders: { grade: { currency: xp, policy: follow, tiers: [ { name: Rookie, at: 0 }, { name: Explorer, at: 100 } ] } }
        """)
    try s.apply(#"{"type":"gain","at":"2026-03-01T10:00:00Z","user":"u"}"#)
    #expect(s.tier("u", "grade")?.name == "Explorer")
    try s.apply(#"{"type":"loss","at":"2026-03-01T11:00:00Z","user":"u"}"#)
    #expect(s.tier("u", "grade")?.name == "Rookie")
  }

  /// The engine re-ranks from the member's current tier; jumps of several
  /// tiers either way, and below the lowest tier, must land where a count from zero would.
  @Test mutating func followsTheBalanceAcrossSeveralTiersBothWays() throws {
    var s = try Scenario(
      yaml: """
        scheme: follow
        currencies: { xp: {} }
        actions:
          gain: [ { award: { xp: 350 } } ]
          loss: [ { deduct: { xp: 250 } } ]
        ladders:
          grade:
            currency: xp
            policy: follow
            tiers: [ { name: A, at: 0 }, { name: B, at: 100 }, { name: C, at: 200 }, { name: D, at: 300 }, { name: E, at: 600 } ]
        """)
    var ranks: [Int?] = []
    for type in ["gain", "loss", "loss", "gain", "gain", "gain", "loss"] {
      try s.apply(#"{"type":"\#(type)","at":"2026-03-01T10:00:00Z","user":"u"}"#)
      ranks.append(s.tier("u", "grade")?.rank)
    }
    // Balances: 350, 100, -150, 200, 550, 900, 650.
    #expect(ranks == [4, 2, 0, 3, 4, 5, 5])
  }
}

/// A rejected action that carries traits for a user who is not yet a member leaves no member behind.
@Suite struct TraitUpdateTests {
  @Test func rejectedActionWithTraitsCreatesNoMember() throws {
    var s = try Scenario("xp-grades-badges.yaml")
    s.applyRaw(
      #"{"id":"t1","type":"live_watched","at":"2026-03-01T08:00:00Z","user":"newbie","traits":{"plan":"Paid"}}"#)
    #expect(s.simulation.counts.rejected == 1)
    #expect(s.member("newbie") == nil)
  }

  @Test func acceptedActionWithTraitsCreatesTheMemberWithThem() throws {
    var s = try Scenario(
      yaml: """
        scheme: plans
        traits: { plan: { values: [Free, Paid], default: Free } }
        currencies: { xp: {} }
        actions:
          watched:
            - when: member.traits.plan == 'Paid'
              award: { xp: 10 }
        """)
    try s.apply(#"{"type":"watched","at":"2026-03-01T08:00:00Z","user":"newbie","traits":{"plan":"Paid"}}"#)
    #expect(s.balance("newbie", "xp") == 10, "the rule saw the new plan")
    #expect(s.simulation.state.state(of: MemberID(scope: nil, user: "newbie"))?.traits == ["Paid"])
  }
}
