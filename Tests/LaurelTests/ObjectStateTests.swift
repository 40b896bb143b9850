import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelPostgres
import LaurelSQLite
import Testing

/// State kept by the thing an action is about (`objects: post: event.post`):
/// a post's counters, read as `post.counters.*`, whoever its owner is.
@Suite struct ObjectStateTests {
  static let yaml = """
    scheme: posts
    fields: { post: string, owner: string }
    currencies: { points: {} }
    objects:
      post: event.post
    counters:
      votes: { of: post }
      voters: { of: post, key: event.user }     # who voted on the post
    actions:
      upvoted:
        - id: one_vote_per_member                  # a member's second vote on a post counts nothing
          when: post.counters.voters[event.user] == 0
          count: [votes, voters]
        - id: pay_owner
          when: post.counters.voters[event.user] == 0
          award: { points: "post.counters.votes < 3 ? 5 : 1" }
          to: event.owner
    badges:
      popular:
        key: event.post
        to: event.owner
        when: post.counters.votes >= 3
    """

  static func vote(_ user: String, _ post: String, owner: String = "ann", id: String? = nil) -> String {
    let id = id.map { #""id":"\#($0)","# } ?? ""
    return
      #"{\#(id)"type":"upvoted","at":"2026-03-01T10:00:00Z","user":"\#(user)","post":"\#(post)","owner":"\#(owner)"}"#
  }

  func votes(_ s: Scenario, _ post: String) -> [String: Int64] {
    Dictionary(
      uniqueKeysWithValues: (s.simulation.objectCounters(of: "post", key: post) ?? []).map { ($0.name, $0.total) })
  }

  @Test func rulesReadAndCountThePostsOwnCountersOncePerVoter() throws {
    var s = try Scenario(yaml: Self.yaml)
    for voter in ["v1", "v2", "v1", "v3", "v4"] { try s.apply(Self.vote(voter, "p1")) }
    #expect(votes(s, "p1")["votes"] == 4, "v1's second vote counts nothing")
    let voters = s.simulation.objectCounters(of: "post", key: "p1")?.first { $0.name == "voters" }
    #expect(voters?.byKey.map { "\($0.key)=\($0.count)" } == ["v1=1", "v2=1", "v3=1", "v4=1"])
    #expect(s.balance("ann", "points") == 16, "5 + 5 + 5 + 1: the amount reads the post's count before the vote")
    #expect(s.member("ann")?.badges.map { "\($0.badge):\($0.key ?? "-")" } == ["popular:p1"])
    #expect(s.member("v1") == nil, "voting touches no voter: only the post and its owner")
    #expect(votes(s, "p2")["votes"] == 0, "a post never voted on reads 0")
    #expect(s.simulation.objectCounters(of: "comment", key: "p1") == nil)
    #expect(s.simulation.memberCount == 1 && s.simulation.profiles().map(\.member.user) == ["ann"])
    let report = SimulationReport.json(try #require(s.member("ann")))
    #expect(!report.contains("votes"), "a member's profile does not list the post's counters: \(report)")
  }

  /// An object's key may be a named value that reads the action (`let:`).
  @Test func anObjectsKeyMayBeANamedValue() throws {
    let yaml = Self.yaml.replacingOccurrences(
      of: "fields: { post: string, owner: string }\n",
      with:
        "fields: { post: string, owner: string, answer: string }\nlet:\n  target: \"has(event.answer) ? event.answer : event.post\"\n"
    ).replacingOccurrences(of: "  post: event.post", with: "  post: target")
    #expect(yaml.contains("post: target"))
    var s = try Scenario(yaml: yaml)
    try s.apply(Self.vote("v1", "q1"))
    try s.apply(
      #"{"type":"upvoted","at":"2026-03-01T10:00:00Z","user":"v2","post":"q1","answer":"a1","owner":"ann"}"#)
    #expect(votes(s, "q1")["votes"] == 1 && votes(s, "a1")["votes"] == 1, "the second vote is the answer's")
  }

  @Test func anActionWithoutThePostIsRejectedWhenARuleCountsIntoIt() throws {
    var s = try Scenario(yaml: Self.yaml)
    let outcome = try s.apply(#"{"type":"upvoted","at":"2026-03-01T10:00:00Z","user":"v1","owner":"ann"}"#)
    guard case .rejected(let error) = outcome.status else {
      Issue.record("expected a rejection, got \(outcome.status)")
      return
    }
    #expect(
      error.message.hasSuffix(
        "rule 'one_vote_per_member': cannot tell which post it counts into: event.post gives no key for this action"),
      "\(error.message)")
    #expect(s.simulation.memberCount == 0 && s.balance("ann", "points") == nil, "nothing was kept")
  }

  @Test func aScopeThatCouldNameAnObjectIsRejected() throws {
    let scoped = Self.yaml.replacingOccurrences(
      of: "fields: { post: string, owner: string }",
      with: "members: { scope: event.community }\nfields: { post: string, owner: string, community: string }")
    var s = try Scenario(yaml: scoped)
    try s.apply(
      #"{"type":"upvoted","at":"2026-03-01T10:00:00Z","user":"v1","post":"p1","owner":"ann","community":"c1"}"#)
    let forged = try s.apply(
      #"{"type":"upvoted","at":"2026-03-01T10:00:00Z","user":"v2","post":"p1","owner":"ann","community":"\u001fpost"}"#)
    guard case .rejected(let error) = forged.status else {
      Issue.record("a scope starting with U+001F must not reach objects' ids: \(forged.status)")
      return
    }
    #expect(error.message.contains("U+001F"))
    #expect(s.simulation.objectCounters(of: "post", key: "p1", scope: "c1")?.first?.total == 1)
    #expect(s.simulation.objectCounters(of: "post", key: "p1", scope: "c2")?.first?.total == 0)
  }

  /// SQLite keeps objects with members: they survive reopening and a rule
  /// change (carried over by name), and are never listed as members.
  @Test func sqliteKeepsObjectsAcrossReopeningAndARuleChange() async throws {
    let temporary = try TemporaryFolder("laurel-objects")
    let path = temporary.url.appendingPathComponent("store.sqlite").path
    let rules = try Scenario(yaml: Self.yaml).rules
    do {
      let store = try SQLiteStore(path: path)
      try store.adopt(rules, files: [("posts.yaml", Self.yaml)])
      let engine = Engine(rules: rules, store: store)
      for (i, voter) in ["v1", "v2", "v3"].enumerated() {
        _ = try await engine.apply(json: Self.vote(voter, "p1", id: "e\(i)"))
      }
    }
    let changed = Self.yaml.replacingOccurrences(of: "counters:\n", with: "counters:\n  likes: {}\n")
    let newRules = try Scenario(yaml: changed).rules
    let store = try SQLiteStore(path: path)
    let adoption = try store.adopt(newRules, files: [("posts.yaml", changed)])
    #expect(adoption.migratedMembers == 1, "ann; the post is an object, not a member")
    #expect(adoption.migratedObjects == 1)
    let engine = Engine(rules: newRules, store: store)
    #expect(try await engine.objectCounters(of: "post", key: "p1")?.first { $0.name == "votes" }?.total == 3)
    _ = try await engine.apply(json: Self.vote("v4", "p1", id: "e9"))
    #expect(try await engine.objectCounters(of: "post", key: "p1")?.first { $0.name == "votes" }?.total == 4)
    #expect(try await store.members().map(\.0.user) == ["ann"])
    #expect(try await engine.profile(of: MemberID(scope: nil, user: "ann")).balance("points") == 16)
    let rebuild = try store.rebuild(newRules, files: [("posts.yaml", changed)])
    #expect(rebuild.replayed == 4 && rebuild.members == 1, "\(rebuild)")
    #expect(try await engine.objectCounters(of: "post", key: "p1")?.first { $0.name == "votes" }?.total == 4)
  }

  /// PostgreSQL counts objects apart from members too, when it adopts rules
  /// that change the layout and when it rebuilds.
  @Test func postgresCountsObjectsApartFromMembers() async throws {
    guard try await TestPostgres.shared() != nil else { return }
    let store = try await PostgresStore(url: try await TestPostgres.freshStoreURL()!)
    let rules = try Scenario(yaml: Self.yaml).rules
    try await store.adopt(rules, files: [("posts.yaml", Self.yaml)])
    let engine = Engine(rules: rules, store: store)
    for (i, voter) in ["v1", "v2", "v3"].enumerated() {
      _ = try await engine.apply(json: Self.vote(voter, "p\(i % 2)", id: "e\(i)"))
    }
    let changed = Self.yaml.replacingOccurrences(of: "counters:\n", with: "counters:\n  likes: {}\n")
    let newRules = try Scenario(yaml: changed).rules
    let adoption = try await store.adopt(newRules, files: [("posts.yaml", changed)])
    #expect(adoption.migratedMembers == 1 && adoption.migratedObjects == 2, "\(adoption)")
    let rebuild = try await store.rebuild(newRules, files: [("posts.yaml", changed)])
    #expect(rebuild.replayed == 3 && rebuild.members == 1, "\(rebuild)")
    #expect(
      try await Engine(rules: newRules, store: store).objectCounters(of: "post", key: "p0")?.first {
        $0.name == "votes"
      }?.total == 2)
  }
}
