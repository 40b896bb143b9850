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
