@_spi(StoreAdapter) public import Laurel
import LaurelExpression

/// The behaviour every ``Store`` must have, as checks any store's tests run:
/// `InMemoryStore` today, SQLite and PostgreSQL as they arrive.
///
/// ```swift
/// @Test func passesConformance() async throws {
///   let failures = await StoreConformance.run { InMemoryStore() }
///   #expect(failures.isEmpty, "\(failures)")
/// }
/// ```
public enum StoreConformance {
  /// One check that did not hold.
  public struct Failure: Sendable, CustomStringConvertible {
    public var check: String
    public var message: String
    public var description: String { "\(check): \(message)" }
  }

  /// The scheme the checks use: community points with a floor, a once-per
  /// lesson rule and a three-tier ratchet ladder — built in code.
  public static func rules() throws -> CompiledRules {
    try RuleCompiler().compile(try book()).get()
  }

  /// ``rules()`` as declared, for suites that add to it.
  static func book() throws -> RuleBook {
    var book = RuleBook(scheme: Name("conformance"))
    book.scope = ExpressionSource("event.community")
    book.fields = ["community", "author", "lesson", "post"].map { FieldDeclaration(name: Name($0), type: .string) }
    var points = CurrencyDeclaration(name: Name("points"))
    points.floor = 0
    book.currencies = [points]
    var liked = RuleDeclaration(id: Name("post_liked"))
    liked.amounts = [AmountDeclaration(currency: Name("points"), amount: ExpressionSource("2"))]
    liked.recipient = ExpressionSource("event.author")
    var unliked = RuleDeclaration(id: Name("post_unliked"))
    unliked.amounts = [AmountDeclaration(currency: Name("points"), amount: ExpressionSource("3"), isDeduction: true)]
    unliked.recipient = ExpressionSource("event.author")
    var lesson = RuleDeclaration(id: Name("lesson_completed"))
    lesson.amounts = [AmountDeclaration(currency: Name("points"), amount: ExpressionSource("5"))]
    lesson.oncePer = ExpressionSource("event.lesson")
    // A post keeps its own vote count, whoever its author is now; its badge goes to that author.
    book.objects = [ObjectDeclaration(name: Name("post"), key: ExpressionSource("event.post"))]
    var votes = CounterDeclaration(name: Name("votes"))
    votes.of = Name("post")
    book.counters = [votes]
    var voted = RuleDeclaration(id: Name("post_voted"))
    voted.counts = [CountDeclaration(counter: Name("votes"))]
    voted.recipient = ExpressionSource("event.author")
    var popular = BadgeDeclaration(name: Name("popular"))
    popular.key = ExpressionSource("event.post")
    popular.to = ExpressionSource("event.author")
    popular.when = ExpressionSource("post.counters.votes >= 3")
    book.badges = [popular]
    book.actions = [
      ActionDeclaration(type: Name("post_liked"), rules: [liked]),
      ActionDeclaration(type: Name("post_unliked"), rules: [unliked]),
      ActionDeclaration(type: Name("lesson_completed"), rules: [lesson]),
      ActionDeclaration(type: Name("post_voted"), rules: [voted]),
    ]
    var ladder = LadderDeclaration(name: Name("level"), currency: Name("points"))
    ladder.tiers = [("Student", 0), ("Learner", 5), ("Builder", 20)].map {
      TierDeclaration(name: Name($0.0), threshold: $0.1)
    }
    book.ladders = [ladder]
    return book
  }

  /// Every member of the store and its points, read by name, sorted by scope then user.
  static func points<S: Store>(_ engine: Engine<S>) async throws -> [(member: MemberID, points: Int64)] {
    try await engine.store.members().map { id, state in
      (id, engine.rules.profile(of: id, state: state).balance("points") ?? -1)
    }
  }

  /// The error a check throws from inside a transaction.
  struct Interrupted: Error {}

  static func like(_ id: String, author: String, community: String = "c1") -> String {
    #"{"id":"\#(id)","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"fan","community":"\#(community)","author":"\#(author)"}"#
  }

  /// Runs every check, each against a fresh store from `makeStore`. `reopen`,
  /// when given, closes a store and opens the same data again (durable stores).
  public static func run<S: Store>(
    reopen: (@Sendable (S) async throws -> S)? = nil, _ makeStore: @Sendable () async throws -> S
  ) async -> [Failure] {
    var failures: [Failure] = []
    func check(_ name: String, _ body: (Engine<S>) async throws -> String?) async {
      do {
        let engine = Engine(rules: try rules(), store: try await makeStore())
        if let problem = try await body(engine) { failures.append(Failure(check: name, message: problem)) }
      } catch {
        failures.append(Failure(check: name, message: "threw \(error)"))
      }
    }

    await check("applies actions and reads members sorted by scope then user") { engine in
      for (i, (author, community)) in [("bob", "c2"), ("ann", "c1"), ("bob", "c1"), ("ann", "c1")].enumerated() {
        let outcome = try await engine.apply(json: like("e\(i)", author: author, community: community))
        guard outcome.status == .applied else { return "action e\(i): \(outcome.status)" }
      }
      let seen = try await points(engine).map { "\($0.member.scope ?? "-")/\($0.member.user)=\($0.points)" }
      return seen == ["c1/ann=4", "c1/bob=2", "c2/bob=2"] ? nil : "members were \(seen)"
    }

    await check("an object keeps its own counters, which are not a member's, within each scope") { engine in
      // Two votes on p1 while ann is its author, a third once it is bob's: the post counts 3 and bob earns its badge.
      for (i, author) in ["ann", "ann", "bob"].enumerated() {
        let vote =
          #"{"id":"v\#(i)","type":"post_voted","at":"2026-03-01T10:00:00Z","user":"fan","community":"c1","author":"\#(author)","post":"p1"}"#
        let outcome = try await engine.apply(json: vote)
        guard outcome.status == .applied else { return "vote \(i): \(outcome.status)" }
      }
      let votes = try await engine.objectCounters(of: "post", key: "p1", scope: "c1")?.first?.total
      let elsewhere = try await engine.objectCounters(of: "post", key: "p1", scope: "c2")?.first?.total
      let members = try await engine.store.members().map { "\($0.0)" }
      let ann = try await engine.profile(of: MemberID(scope: "c1", user: "ann"))
      let bob = try await engine.profile(of: MemberID(scope: "c1", user: "bob"))
      let badges = (ann.badges + bob.badges).map { "\($0.badge):\($0.key ?? "-")" }
      return votes == 3 && elsewhere == 0 && members == ["c1/ann", "c1/bob"] && ann.counters.isEmpty
        && badges == ["popular:p1"] && bob.badges.count == 1
        ? nil
        : "post p1 counts \(votes ?? -1) in c1 and \(elsewhere ?? -1) in c2; members \(members); badges \(badges); ann's counters \(ann.counters)"
    }

    await check("a duplicate action id changes nothing") { engine in
      _ = try await engine.apply(json: like("same", author: "ann"))
      let again = try await engine.apply(json: like("same", author: "ann"))
      let balance = try await points(engine).first?.points
      return again.status == .duplicate && balance == 2
        ? nil : "status \(again.status), balance \(balance.map(String.init) ?? "-")"
    }

    await check("a rejected action changes nothing and does not use up its id") { engine in
      let bad = try await engine.apply(
        json: #"{"id":"r1","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"fan","community":"c1"}"#)
      guard case .rejected = bad.status else { return "expected a rejection, got \(bad.status)" }
      guard try await engine.store.members().isEmpty else { return "a member was created" }
      let good = try await engine.apply(json: like("r1", author: "ann"))
      return good.status == .applied ? nil : "the corrected action was \(good.status)"
    }

    await check("a once-per key pays once") { engine in
      for i in 0..<3 {
        _ = try await engine.apply(
          json:
            #"{"id":"l\#(i)","type":"lesson_completed","at":"2026-03-01T10:00:00Z","user":"ann","community":"c1","lesson":"l1"}"#
        )
      }
      let balance = try await points(engine).first?.points
      return balance == 5 ? nil : "balance \(balance.map(String.init) ?? "-") after three completions of one lesson"
    }

    await check("floors and ratchet levels hold") { engine in
      for i in 0..<10 { _ = try await engine.apply(json: like("f\(i)", author: "ann")) }
      for i in 0..<10 {
        _ = try await engine.apply(
          json:
            #"{"id":"u\#(i)","type":"post_unliked","at":"2026-03-01T11:00:00Z","user":"fan","community":"c1","author":"ann"}"#
        )
      }
      let ann = try await engine.profile(of: MemberID(scope: "c1", user: "ann"))
      return ann.balance("points") == 0 && ann.tier("level")?.name == "Builder"
        ? nil : "balance \(ann.balance("points") ?? -1), tier \(ann.tier("level")?.name ?? "-")"
    }

    await check("concurrent writers lose no update") { engine in
      await withTaskGroup(of: Void.self) { group in
        for i in 0..<200 {
          group.addTask { _ = try? await engine.apply(json: like("c\(i)", author: i % 2 == 0 ? "ann" : "bob")) }
        }
      }
      let balances = try await points(engine).map(\.points)
      return balances == [200, 200] ? nil : "balances \(balances) after 100 likes each"
    }

    await check("a transaction that throws keeps nothing of a batch") { engine in
      _ = try await engine.apply(json: like("k0", author: "ann"))
      let before = try await engine.store.members()
      let batch =
        try ["k1", "k2", "k3"].map {
          try ActionDecoder(rules: engine.rules).decode(like($0, author: $0 == "k2" ? "bob" : "ann"))
        }
        + [
          try ActionDecoder(rules: engine.rules).decode(
            #"{"id":"k4","type":"lesson_completed","at":"2026-03-01T10:00:00Z","user":"ann","community":"c1","lesson":"l9"}"#
          )
        ]
      do {
        _ = try await engine.applyBatch(batch) { _, _ in throw Interrupted() }
        return "the batch did not throw"
      } catch is Interrupted {}
      let after = try await engine.store.members()
      guard after.map(\.0) == before.map(\.0), after.map(\.1) == before.map(\.1) else {
        return "the failed batch left members \(try await points(engine))"
      }
      // Its ids and once-per key were not used up: the same batch applies in full.
      let again = try await engine.applyBatch(batch)
      let balances = try await points(engine).map { "\($0.member.user)=\($0.points)" }
      return again.allSatisfy({ $0.status == .applied }) && balances == ["ann=11", "bob=2"]
        ? nil : "after retrying: \(again.map(\.status)), \(balances)"
    }

    await check("a store that fails in the middle of a batch keeps nothing of it") { engine in
      _ = try await engine.apply(json: like("m0", author: "ann"))
      let before = try await engine.store.members()
      let batch = try (1...6).map {
        try ActionDecoder(rules: engine.rules).decode(like("m\($0)", author: $0 % 2 == 0 ? "bob" : "ann"))
      }
      // Fails at the fourth member load: three actions are already applied inside the transaction.
      let failing = Engine(rules: engine.rules, store: FailingStore(engine.store, failAfter: 3))
      do {
        _ = try await failing.applyBatch(batch)
        return "the failing store did not fail"
      } catch is FailingStore<S>.Fault {}
      let after = try await engine.store.members()
      guard after.map(\.0) == before.map(\.0), after.map(\.1) == before.map(\.1) else {
        return "the failed batch left members \(try await points(engine))"
      }
      let again = try await engine.applyBatch(batch)
      let ann = try await engine.profile(of: MemberID(scope: "c1", user: "ann")).balance("points")
      let bob = try await engine.profile(of: MemberID(scope: "c1", user: "bob")).balance("points")
      return again.allSatisfy({ $0.status == .applied }) && ann == 8 && bob == 6
        ? nil : "after retrying: \(again.map(\.status)), ann \(ann ?? -1), bob \(bob ?? -1)"
    }

    await check("reads a member by name, and a stranger as a new member") { engine in
      for i in 0..<3 { _ = try await engine.apply(json: like("n\(i)", author: "ann")) }
      let ann = try await engine.profile(of: MemberID(scope: "c1", user: "ann"))
      let stranger = try await engine.profile(of: MemberID(scope: "c1", user: "nobody"))
      let state = try await engine.store.state(of: MemberID(scope: "c9", user: "ann"))
      guard ann.balance("points") == 6, ann.tier("level")?.name == "Learner", ann.tier("level")?.threshold == 5,
        ann.tier("level")?.nextThreshold == 20
      else { return "ann read as \(ann)" }
      guard stranger.balance("points") == 0, stranger.tier("level")?.rank == 1 else {
        return "a stranger read as \(stranger)"
      }
      return state == nil ? nil : "a member of another scope was found"
    }

    await check("counts a scope's members per level and tells a member's distance to the next") { engine in
      for i in 0..<3 { _ = try await engine.apply(json: like("v\(i)", author: "ann")) }
      _ = try await engine.apply(json: like("v3", author: "bob"))
      _ = try await engine.apply(json: like("v4", author: "cy", community: "c2"))
      let levels = try await engine.levels(ladder: "level", scope: "c1", asking: "ann")
      let rows = levels.levels.map { "\($0.rank) \($0.name) \($0.threshold) \($0.members) \($0.percentage)" }
      guard rows == ["1 Student 0 1 50.0", "2 Learner 5 1 50.0", "3 Builder 20 0 0.0"], levels.memberCount == 2,
        levels.askingMemberRank == 2
      else { return "levels \(rows), \(levels.memberCount) members, asking rank \(levels.askingMemberRank ?? -1)" }
      let stranger = try await engine.levels(ladder: "level", scope: "c1", asking: "nobody").askingMemberRank
      let ann = try await engine.profile(of: MemberID(scope: "c1", user: "ann")).tier("level")
      guard stranger == 1, ann?.pointsToNext == 14, ann?.isMax == false else {
        return "a stranger ranks \(stranger ?? -1); ann \(String(describing: ann))"
      }
      for i in 0..<10 { _ = try await engine.apply(json: like("w\(i)", author: "ann")) }
      let top = try await engine.profile(of: MemberID(scope: "c1", user: "ann")).tier("level")
      return top?.isMax == true && top?.pointsToNext == nil && top?.name == "Builder"
        ? nil : "at the top ann reads \(String(describing: top))"
    }

    await check("a batch applies the same whatever its footprint forecasts") { engine in
      let batch = try (0..<8).map {
        try ActionDecoder(rules: engine.rules).decode(like("w\($0)", author: ["ann", "bob", "cy"][$0 % 3]))
      }
      // A footprint that misses most members and names some that do not exist: members load on demand.
      var footprint = engine.rules.footprint(of: Array(batch.prefix(1)))
      footprint.members.append(MemberID(scope: "c1", user: "ghost"))
      let forecast = engine.rules.footprint(of: batch)
      // Likes pay their authors only: the liker is not read.
      guard forecast.members.map(\.user) == ["ann", "bob", "cy"], forecast.actionIDs.count == 8 else {
        return "the footprint forecast \(forecast.members)"
      }
      let outcomes = try await engine.store.transaction(reading: footprint) { tx in
        try engine.run(batch, in: &tx).map(\.status)
      }
      let users = try await points(engine).map { "\($0.member.user)=\($0.points)" }
      return outcomes.allSatisfy({ $0 == .applied }) && users == ["ann=6", "bob=6", "cy=4"]
        ? nil : "\(outcomes), \(users)"
    }

    if let reopen {
      await check("state, ids and once-per keys survive reopening") { engine in
        _ = try await engine.apply(json: like("p1", author: "ann"))
        _ = try await engine.apply(
          json:
            #"{"id":"p2","type":"lesson_completed","at":"2026-03-01T10:00:00Z","user":"ann","community":"c1","lesson":"l1"}"#
        )
        let reopened = Engine(rules: engine.rules, store: try await reopen(engine.store))
        let duplicate = try await reopened.apply(json: like("p1", author: "ann"))
        _ = try await reopened.apply(
          json:
            #"{"id":"p3","type":"lesson_completed","at":"2026-03-01T10:00:00Z","user":"ann","community":"c1","lesson":"l1"}"#
        )
        let balance = try await points(reopened).first?.points
        return duplicate.status == .duplicate && balance == 7
          ? nil : "status \(duplicate.status), balance \(balance.map(String.init) ?? "-")"
      }
    }
    return failures
  }
}
