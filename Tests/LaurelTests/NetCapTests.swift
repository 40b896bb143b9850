import Laurel
import LaurelReplay
import Testing

/// Caps that limit net earnings (`net: true`): deductions by the cap's rules
/// free up room, as Stack Exchange's 200-a-day vote cap does.
@Suite struct NetCapTests {
  static func yaml(net: Bool) -> String {
    """
    scheme: votes
    fields: { owner: string }
    currencies: { reputation: { start: 1, floor: 1 } }
    caps:
      votes: { currency: reputation, max: 200, per: day, rules: [upvoted, downvoted], net: \(net) }
    actions:
      upvoted: [ { award: { reputation: 10 }, to: event.owner } ]
      downvoted: [ { deduct: { reputation: 2 }, to: event.owner } ]
      accepted: [ { award: { reputation: 15 }, to: event.owner } ]
    """
  }

  static func vote(_ type: String, at time: String) -> String {
    #"{"type":"\#(type)","at":"2026-03-\#(time)Z","user":"voter","owner":"ann"}"#
  }

  @Test(arguments: [true, false])
  func aDownvoteFreesRoomUnderANetCapOnly(net: Bool) throws {
    var s = try Scenario(yaml: Self.yaml(net: net))
    for minute in 10..<31 { try s.apply(Self.vote("upvoted", at: "01T10:\(minute):00")) }
    #expect(s.balance("ann", "reputation") == 201, "20 upvotes pay 200, the 21st nothing")
    try s.apply(Self.vote("downvoted", at: "01T11:00:00"))
    #expect(s.balance("ann", "reputation") == 199)
    let after = try s.apply(Self.vote("upvoted", at: "01T11:01:00"))
    #expect(
      after.ledger.map(\.amount) == (net ? [2] : []), "room freed by the downvote: 2 under a net cap, none otherwise")
    try s.apply(Self.vote("accepted", at: "01T11:02:00"))
    #expect(s.balance("ann", "reputation") == (net ? 216 : 214), "accepts are outside the cap")
    // The next day starts afresh.
    let tomorrow = try s.apply(Self.vote("upvoted", at: "02T09:00:00"))
    #expect(tomorrow.ledger.map(\.amount) == [10])
  }

  @Test func aDeductionStoppedByTheFloorFreesOnlyWhatItTook() throws {
    var s = try Scenario(yaml: Self.yaml(net: true))
    try s.apply(Self.vote("downvoted", at: "01T09:00:00"))  // at the floor: takes nothing
    #expect(s.balance("ann", "reputation") == 1)
    for minute in 10..<31 { try s.apply(Self.vote("upvoted", at: "01T10:\(minute):00")) }
    #expect(s.balance("ann", "reputation") == 201, "the cap is still 200: the downvote took nothing")
  }

  @Test func aLateDownvoteIsRejectedRatherThanResettingTheWindow() throws {
    var s = try Scenario(yaml: Self.yaml(net: true))
    try s.apply(Self.vote("upvoted", at: "02T10:00:00"))
    let late = try s.apply(Self.vote("downvoted", at: "01T23:00:00"))
    guard case .rejected(let error) = late.status else {
      Issue.record("a downvote dated before the cap's window should be late: \(late.status)")
      return
    }
    #expect(error.kind == .late)
    #expect(s.balance("ann", "reputation") == 11)
  }
}

/// Counters that add up a currency's earnings (`earned:`): what awards
/// actually applied, after caps and floors; deductions do not lower them.
@Suite struct EarnedCounterTests {
  static let yaml = """
    scheme: mortarboard
    fields: { owner: string }
    currencies: { reputation: { start: 1, floor: 1 } }
    counters:
      earned_today: { earned: reputation, window: day }
      net_today: { tracks: reputation, window: day }
    caps:
      votes: { currency: reputation, max: 30, per: day, rules: [upvoted, downvoted], net: true }
    actions:
      upvoted: [ { award: { reputation: 10 }, to: event.owner } ]
      downvoted: [ { deduct: { reputation: 2 }, to: event.owner } ]
    badges:
      mortarboard: { title: Mortarboard, when: member.counters.earned_today >= 31 }
    """

  @Test func countsWhatAwardsAppliedNotWhatTheyAskedNorDeductions() throws {
    var s = try Scenario(yaml: Self.yaml)
    func vote(_ type: String, _ time: String) throws -> Outcome {
      try s.apply(#"{"type":"\#(type)","at":"2026-03-01T\#(time)Z","user":"v","owner":"ann"}"#)
    }
    _ = try vote("upvoted", "10:00:00")
    _ = try vote("upvoted", "10:01:00")
    _ = try vote("downvoted", "10:02:00")  // frees 2 under the net cap, does not lower earnings
    let third = try vote("upvoted", "10:03:00")
    #expect(third.ledger.map(\.amount) == [10])
    #expect(third.badges.isEmpty, "earned today: 30")
    let fourth = try vote("upvoted", "10:04:00")
    #expect(fourth.ledger.map(\.amount) == [2], "capped at the 2 the downvote freed")
    #expect(
      fourth.badges.map(\.badge) == ["mortarboard"], "earned today: 10 + 10 + 10 + 2 = 32, the downvote not subtracted")
    let counters = Dictionary(uniqueKeysWithValues: s.member("ann")!.counters.map { ($0.name, $0.total) })
    #expect(counters["earned_today"] == 32)
    #expect(counters["net_today"] == 30)
  }

  @Test func aCounterAddsUpEitherTheNetOrTheEarnings() throws {
    let yaml = """
      scheme: both
      currencies: { points: {} }
      counters: { today: { tracks: points, earned: points } }
      actions: { liked: [ { award: { points: 1 } } ] }
      """
    #expect(throws: (any Error).self) { try Scenario(yaml: yaml) }
    do {
      _ = try Scenario(yaml: yaml)
    } catch {
      #expect("\(error)".contains("gives both 'tracks' and 'earned'"), "\(error)")
    }
  }
}
