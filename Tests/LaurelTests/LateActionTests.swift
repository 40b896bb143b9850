import Laurel
import LaurelReplay
import LaurelReports
import Testing

/// Windows only move forward: an action dated in an earlier window than the
/// one a member's cap, bonus, windowed counter or streak already counts is
/// rejected as late, so alternating days cannot pay a daily limit twice
/// over; actions within a window may come in any order.
@Suite struct LateActionTests {
  static let yaml = """
    scheme: windows
    fields: { author: string }
    currencies: { points: {}, notes: {} }
    counters: { points_today: { tracks: points, window: day } }
    streaks: { active_days: { every: day, on: [session_started] } }
    actions:
      post_liked: [ { award: { points: 1 }, to: event.author } ]
      note: [ { award: { notes: 1 } } ]
    bonuses:
      daily: { every: day, award: { points: 10 }, on: [session_started] }
    caps:
      likes: { currency: points, max: 3, per: day, rules: [post_liked] }
    """

  func like(_ n: Int, day: Int, hour: Int = 10) -> String {
    #"{"id":"l\#(n)","type":"post_liked","at":"2026-03-0\#(day)T\#(hour < 10 ? "0" : "")\#(hour):00:00Z","user":"fan\#(n)","author":"ann"}"#
  }

  @Test func alternatingDaysCannotPayADailyCapTwiceOver() throws {
    var s = try Scenario(yaml: Self.yaml)
    var late: [String] = []
    for n in 0..<20 {
      if case .rejected(let error) = try s.apply(like(n, day: n % 2 == 0 ? 1 : 2)).status {
        #expect(error.kind == .late && error.code == "ACTION_LATE")
        late.append(error.message)
      }
    }
    // Day 1 pays its first like; day 2 pays 3 (its cap); the other day-1 likes are late.
    #expect(s.balance("ann", "points") == 4, "it paid 20 when windows were compared by equality")
    #expect(late.count == 9)
    #expect(
      late.first
        == "action l2 is late: it falls in the day 2026-03-01, but cap 'likes' of member ann already counts the day 2026-03-02; windows only move forward"
    )
  }

  @Test func alternatingDaysCannotPayADailyBonusOnEveryAction() throws {
    var s = try Scenario(yaml: Self.yaml)
    var late = 0
    for n in 0..<6 {
      let day = n % 2 == 0 ? 1 : 2
      let outcome = try s.apply(
        #"{"id":"s\#(n)","type":"session_started","at":"2026-03-0\#(day)T10:00:00Z","user":"ann"}"#)
      if case .rejected = outcome.status { late += 1 }
    }
    #expect(s.balance("ann", "points") == 20, "the bonus was paid 6 times, once per action")
    #expect(late == 2, "the third and fifth sessions went back to day 1")
    #expect(s.member("ann")?.streak("active_days")?.current == 2)
  }

  @Test func actionsWithinOneWindowMayArriveInAnyOrder() throws {
    var s = try Scenario(yaml: Self.yaml)
    for (n, hour) in [15, 9, 12, 10].enumerated() {
      #expect(try s.apply(like(n, day: 3, hour: hour)).status == .applied)
    }
    #expect(s.balance("ann", "points") == 3, "the cap holds within the day")
  }

  @Test func anActionTouchingNoWindowedStateOfTheMemberIsNeverLate() throws {
    var s = try Scenario(yaml: Self.yaml)
    try s.apply(like(0, day: 5))
    // fan1 has no windowed state of its own; ann's cap is not involved in a 'note'.
    #expect(try s.apply(#"{"id":"n1","type":"note","at":"2026-03-01T10:00:00Z","user":"ann"}"#).status == .applied)
    #expect(try s.apply(like(1, day: 6)).status == .applied)
  }
}
