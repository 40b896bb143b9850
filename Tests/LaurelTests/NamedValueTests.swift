import Laurel
import LaurelReplay
import Testing

/// `let:` — conditions and values written once and used by name.
@Suite struct NamedValueTests {
  static let yaml = """
    scheme: answers
    fields: { owner: string, wiki: bool, post: string }
    let:
      wiki: has(event.wiki) && event.wiki
      self_accept: event.owner == event.user
      pays_owner: "!wiki && !self_accept"
      owner: event.owner
      accept_bonus: "member.balances.reputation >= 100 ? 20 : 15"
      even_votes: "[1, 2, 3, 4].filter(x, x % 2 == 0)"
    currencies: { reputation: { start: 1 } }
    counters: { accepts: { key: event.post } }
    actions:
      accepted:
        - when: pays_owner
          award: { reputation: accept_bonus }
          to: owner
          count: accepts
        - when: "[10, 20].all(x, size(even_votes) == 2 && x > 5)"
          award: { reputation: 2 }
    badges:
      accepted_twice:
        key: event.post
        when: member.counters.accepts[key] >= 2
    """

  static func accept(owner: String?, wiki: Bool = false, post: String = "p1") -> String {
    let ownerField = owner.map { #""owner":"\#($0)","# } ?? ""
    return
      #"{"type":"accepted","at":"2026-03-01T10:00:00Z","user":"asker",\#(ownerField)"wiki":\#(wiki),"post":"\#(post)"}"#
  }

  @Test func aNamedConditionGuardsEveryCaseItNames() throws {
    var s = try Scenario(yaml: Self.yaml)
    try s.apply(Self.accept(owner: "ann"))
    #expect(s.balance("ann", "reputation") == 16, "an accept pays the owner 15")
    #expect(s.balance("asker", "reputation") == 3, "and the asker 2, through a comprehension over a named list")
    try s.apply(Self.accept(owner: "ann", wiki: true))
    #expect(s.balance("ann", "reputation") == 16, "a community-wiki post pays nothing")
    try s.apply(Self.accept(owner: "asker"))
    #expect(s.balance("asker", "reputation") == 7, "a self-accept pays only the asker's +2")
  }

  @Test func aNamedValueReadingMemberStateReadsTheRecipient() throws {
    var s = try Scenario(yaml: Self.yaml)
    for post in 1...7 { try s.apply(Self.accept(owner: "ann", post: "p\(post)")) }
    #expect(s.balance("ann", "reputation") == 106, "below 100 before each accept: 15 each")
    try s.apply(Self.accept(owner: "ann", post: "p8"))
    #expect(s.balance("ann", "reputation") == 126, "at 106 the named amount gives 20")
    #expect(s.balance("asker", "reputation") == 17, "the asker's state is not the one read")
  }

  @Test func namedValuesSeeThroughToWhatTheyRead() throws {
    var s = try Scenario(yaml: Self.yaml)
    // `pays_owner` reads only the action, so the rule is decided before `to`:
    // without an owner the self-accept check fails and the action is rejected
    // (CEL: the missing field is an error, not false), as written inline.
    let missing = try s.apply(Self.accept(owner: nil))
    guard case .rejected = missing.status else {
      Issue.record("an accept without an owner reads event.owner through the named value: \(missing.status)")
      return
    }
    // The badge reads a counter; it is re-checked when the rule counts through the named recipient.
    try s.apply(Self.accept(owner: "bob", post: "q"))
    try s.apply(Self.accept(owner: "bob", post: "q"))
    #expect(s.member("bob")?.badges.map(\.badge) == ["accepted_twice"])
  }
}
