@testable import Laurel
import LaurelReplay
import LaurelReports
import Testing

/// Members found through a field read directly (`to: event.author`, scope
/// `event.community`, with hashes the decoder took) and through an evaluated
/// expression must be the same members, and ids compare as bytes.
struct MemberIdentityTests {
  static let yaml = """
    scheme: identity
    members: { scope: event.community }
    fields: { community: string, author: string, lesson: string }
    currencies: { points: {} }
    actions:
      direct: [ { award: { points: 1 }, to: event.author } ]
      computed: [ { award: { points: 10 }, to: "event.author + ''" } ]
      self: [ { award: { points: 100 } } ]
      lesson: [ { award: { points: 1000 }, once_per: event.lesson }, { award: { points: 5 }, once_per: "event.lesson + ''" } ]
    """

  @Test func aFieldRecipientAndAComputedOneReachTheSameMember() throws {
    var s = try Scenario(yaml: Self.yaml)
    try s.apply(#"{"type":"direct","at":"2026-03-01T10:00:00Z","user":"u","community":"c1","author":"ann"}"#)
    try s.apply(#"{"type":"computed","at":"2026-03-01T10:00:01Z","user":"u","community":"c1","author":"ann"}"#)
    try s.apply(#"{"type":"self","at":"2026-03-01T10:00:02Z","user":"ann","community":"c1"}"#)
    #expect(s.balance("ann", in: "c1", "points") == 111)
    #expect(s.simulation.report().members.map(\.member) == [MemberID(scope: "c1", user: "ann")])
  }

  @Test func aFieldOncePerKeyAndAComputedOneAreTheSameKey() throws {
    var s = try Scenario(yaml: Self.yaml)
    for second in 0..<2 {
      try s.apply(
        #"{"type":"lesson","at":"2026-03-01T10:00:0\#(second)Z","user":"ann","community":"c1","lesson":"l1"}"#)
    }
    #expect(s.balance("ann", in: "c1", "points") == 1005)
  }

  @Test func aMissingRecipientFieldRejectsTheActionAsTheExpressionWould() throws {
    var s = try Scenario(yaml: Self.yaml)
    let direct = try s.apply(#"{"type":"direct","at":"2026-03-01T10:00:00Z","user":"u","community":"c1"}"#)
    let computed = try s.apply(#"{"type":"computed","at":"2026-03-01T10:00:00Z","user":"u","community":"c1"}"#)
    guard case .rejected(let a) = direct.status, case .rejected(let b) = computed.status else {
      Issue.record("both should be rejected: \(direct.status), \(computed.status)")
      return
    }
    #expect(a == ActionError(.ruleFailed, "action a1: rule 'direct': no such key: 'event.author'"), "\(a)")
    #expect(b == ActionError(.ruleFailed, "action a2: rule 'computed': no such key: 'event.author'"), "\(b)")
    #expect(s.simulation.report().members.isEmpty)
  }

  @Test func aConditionOnTheActionIsDecidedBeforeTheRecipient() throws {
    var s = try Scenario(
      yaml: """
        scheme: guarded
        fields: { n: int, owner: string }
        currencies: { points: {} }
        actions:
          shared: [ { award: { points: 1 }, when: "event.n > 0", to: "event.owner + string(100 / event.n)" } ]
          ranked: [ { award: { points: 1 }, when: "member.balances.points < 2", to: "event.owner + ''" } ]
          upvoted: [ { award: { points: 10 }, when: "has(event.owner)", to: event.owner } ]
        """)
    // An optional recipient: a post whose owner was deleted comes without one, and pays nobody.
    let orphan = try s.apply(#"{"type":"upvoted","at":"2026-03-01T09:00:00Z","user":"u"}"#)
    #expect(orphan.status == .applied)
    #expect(orphan.ledger.isEmpty)
    let owned = try s.apply(#"{"type":"upvoted","at":"2026-03-01T09:00:01Z","user":"u","owner":"cat"}"#)
    #expect(owned.ledger.map(\.member.user) == ["cat"])
    // n = 0: the condition is false, so `to` (which would divide by zero) is never evaluated.
    let skipped = try s.apply(#"{"type":"shared","at":"2026-03-01T10:00:00Z","user":"u","n":0,"owner":"ann"}"#)
    #expect(skipped.status == .applied)
    let paid = try s.apply(#"{"type":"shared","at":"2026-03-01T10:00:01Z","user":"u","n":4,"owner":"ann"}"#)
    #expect(paid.ledger.map(\.member.user) == ["ann25"])
    // A condition on the member is decided on the recipient, after `to`.
    for second in 2..<5 {
      try s.apply(#"{"type":"ranked","at":"2026-03-01T10:00:0\#(second)Z","user":"u","owner":"bob"}"#)
    }
    #expect(s.balance("bob", "points") == 2)
  }

  @Test func usersWhoseNamesDifferOnlyInUnicodeNormalizationAreDifferentMembers() throws {
    var s = try Scenario(yaml: Self.yaml)
    let composed = "\u{E9}"  // é as one scalar
    let decomposed = "e\u{301}"  // e + combining acute: equal as Swift strings, different bytes
    try s.apply(#"{"type":"self","at":"2026-03-01T10:00:00Z","user":"\#(composed)","community":"c1"}"#)
    try s.apply(#"{"type":"self","at":"2026-03-01T10:00:01Z","user":"\#(decomposed)","community":"c1"}"#)
    let users = s.simulation.report().members.map { Array($0.member.user.utf8) }
    #expect(users.count == 2)
    #expect(Set(users) == [Array(composed.utf8), Array(decomposed.utf8)])
  }

  @Test func aMemberKeyHashesAsItsParts() {
    let id = MemberID(scope: "c1", user: "ann")
    #expect(MemberKey(id) == MemberKey(MemberID(scope: "c1", user: "ann")))
    #expect(MemberKey(id).hash != MemberKey(MemberID(scope: "c1a", user: "nn")).hash)
    #expect(MemberKey(id).hash != MemberKey(MemberID(scope: nil, user: "ann")).hash)
  }
}

/// ``sameUTF8(_:_:)``, which every id comparison goes through: bytes, not
/// Unicode equivalence, whatever the strings' representations.
struct SameUTF8Tests {
  @Test(arguments: [
    ("ann", "ann", true), ("ann", "anna", false), ("ann", "bob", false), ("", "", true), ("a", "", false),
    ("caf\u{E9}", "cafe\u{301}", false),  // canonically equivalent (== holds), different bytes
    ("caf\u{E9}", "caf\u{E9}", true), ("fifteen bytes!!", "fifteen bytes!?", false),
    (String(repeating: "long id ", count: 4), String(repeating: "long id ", count: 4), true),
    (String(repeating: "long id ", count: 4), String(repeating: "long id ", count: 3) + "long ix ", false),
    ("sixteen bytes!!!", "fifteen bytes!!", false),
  ])
  func comparesBytes(_ a: String, _ b: String, _ same: Bool) {
    // Built at run time as well: a literal and a built string differ in representation.
    let built = String(decoding: Array(b.utf8), as: UTF8.self)
    #expect(sameUTF8(a, b) == same)
    #expect(sameUTF8(a, built) == same)
    #expect(sameUTF8(String(decoding: Array(a.utf8), as: UTF8.self), built) == same)
    // A short string can live in heap storage too (here, with room reserved).
    var stored = ""
    stored.reserveCapacity(64)
    stored += b
    #expect(sameUTF8(a, stored) == same && sameUTF8(stored, a) == same)
  }
}
