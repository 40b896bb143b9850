@_spi(StoreAdapter) public import Laurel
import LaurelExpression

/// The runtime administration and read models every ``AdminStore`` must
/// support identically (``InMemoryStore``, SQLite, PostgreSQL): tier
/// overrides with recalculation, gates, grants, the runtime catalogue, the
/// audit log, leaderboards and member lists.
///
/// ```swift
/// let failures = await AdminConformance.run { InMemoryStore() }
/// #expect(failures.isEmpty, "\(failures)")
/// ```
public enum AdminConformance {
  /// The conformance scheme with an overridable ladder, a gate, a manual and
  /// an automatic badge, and a leaderboard (all time and 7 days).
  public static func rules() throws -> CompiledRules {
    var book = try StoreConformance.book()
    book.ladders[0].overridable = true
    book.gates = [GateDeclaration(name: Name("courses"), ladder: Name("level"))]
    var helper = BadgeDeclaration(name: Name("helper"))
    helper.manual = true
    helper.title = "Community helper"
    var liked = BadgeDeclaration(name: Name("liked"))
    liked.when = ExpressionSource("member.balances.points >= 4")
    book.badges = [helper, liked]
    var board = LeaderboardDeclaration(name: Name("top"), currency: Name("points"))
    board.windows = [.allTime, .days(7)]
    book.leaderboards = [board]
    return try RuleCompiler().compile(book).get()
  }

  static func like(
    _ id: String, author: String, community: String = "c1", at: String = "2026-03-01T10:00:00Z"
  )
    -> String
  {
    #"{"id":"\#(id)","type":"post_liked","at":"\#(at)","user":"fan","community":"\#(community)","author":"\#(author)"}"#
  }

  static func tiers(_ pairs: [(String, Int64)]) -> [TierSetting] {
    pairs.map { TierSetting(name: $0.0, threshold: $0.1) }
  }

  static let now = (try? Timestamp(rfc3339: "2026-03-05T12:00:00Z"))!

  /// Runs every check, each against a fresh store from `makeStore`.
  public static func run<S: AdminStore>(_ makeStore: @Sendable () async throws -> S) async -> [StoreConformance.Failure]
  {
    var failures: [StoreConformance.Failure] = []
    func check(_ name: String, _ body: (Engine<S>) async throws -> String?) async {
      do {
        let engine = Engine(rules: try rules(), store: try await makeStore())
        if let problem = try await body(engine) {
          failures.append(StoreConformance.Failure(check: name, message: problem))
        }
      } catch {
        failures.append(StoreConformance.Failure(check: name, message: "threw \(error)"))
      }
    }
    func likes(
      _ engine: Engine<S>, _ author: String, _ n: Int, community: String = "c1", at: String = "2026-03-01T10:00:00Z"
    ) async throws {
      for i in 0..<n {
        _ = try await engine.apply(
          json: like("\(author)-\(community)-\(at)-\(i)", author: author, community: community, at: at))
      }
    }

    await check("lowered thresholds re-rank the scope, with its own names, and only it") { engine in
      try await likes(engine, "ann", 3)  // 6 points: Learner
      try await likes(engine, "bob", 1)  // 2: Student
      try await likes(engine, "ann", 3, community: "c2")
      let update = try await engine.setTiers(
        tiers([("Newbie", 0), ("Regular", 2), ("Pro", 6)]), ladder: "level", scope: "c1", by: "admin")
      let moved = update.tierChanges.map { "\($0.member.user):\($0.from)->\($0.to) \($0.name)" }.sorted()
      guard moved == ["ann:2->3 Pro", "bob:1->2 Regular"] else { return "tier changes \(moved)" }
      guard update.memberEvents.allSatisfy({ if case .leveledUp = $0 { true } else { false } }),
        update.memberEvents.count == 2
      else { return "events \(update.memberEvents)" }
      let ann = try await engine.profile(of: MemberID(scope: "c1", user: "ann"))
      let other = try await engine.profile(of: MemberID(scope: "c2", user: "ann"))
      guard ann.tier("level")?.name == "Pro", ann.tier("level")?.isMax == true, other.tier("level")?.name == "Learner"
      else { return "ann in c1 \(ann.tier("level")?.name ?? "-"), in c2 \(other.tier("level")?.name ?? "-")" }
      let levels = try await engine.levels(ladder: "level", scope: "c1", asking: "bob")
      guard levels.levels.map(\.name) == ["Newbie", "Regular", "Pro"], levels.askingMemberRank == 2 else {
        return "levels \(levels.levels.map(\.name)), bob's rank \(levels.askingMemberRank ?? -1)"
      }
      return nil
    }

    await check("raised thresholds move nobody down on a ratchet ladder; actions rank under the override") { engine in
      try await likes(engine, "ann", 3)  // 6: Learner
      let update = try await engine.setTiers(
        tiers([("A", 0), ("B", 50), ("C", 100)]), ladder: "level", scope: "c1", by: "admin")
      guard update.tierChanges.isEmpty, update.membersRanked == 1 else { return "changes \(update.tierChanges)" }
      try await likes(engine, "bob", 25)  // 50 points: B under the override
      let bob = try await engine.profile(of: MemberID(scope: "c1", user: "bob"))
      guard bob.tier("level")?.rank == 2, bob.tier("level")?.name == "B", bob.tier("level")?.pointsToNext == 50 else {
        return "bob \(String(describing: bob.tier("level")))"
      }
      let reset = try await engine.resetTiers(ladder: "level", scope: "c1", by: "admin")
      let bobAfter = try await engine.profile(of: MemberID(scope: "c1", user: "bob"))
      return !reset.isOverridden && bobAfter.tier("level")?.name == "Builder"
        ? nil : "after reset bob is \(bobAfter.tier("level")?.name ?? "-")"
    }

    await check("invalid tiers are refused with every problem, and nothing is kept") { engine in
      let hostile = String(repeating: "x", count: 10_000)
      do {
        _ = try await engine.setTiers(
          tiers([("<script>alert(1)</script>", 5), ("Same", 3), ("same", 3), (hostile, -1)]), ladder: "level",
          scope: "c1", by: "admin")
        return "accepted"
      } catch let error as AdminError {
        let fields = Set(error.problems.map(\.field))
        let expected: Set = [
          "tiers", "tiers[0].threshold", "tiers[1].threshold", "tiers[2].name", "tiers[2].threshold",
          "tiers[3].name", "tiers[3].threshold",
        ]
        guard error.code == "VALIDATION_ERROR", fields == expected else { return "problems \(error.problems)" }
        // Tags are stripped, their text kept (as bleach does): "alert(1)" is a valid name.
      }
      let audit = try await engine.auditLog()
      let overrides = try await engine.store.tierOverrides(scope: "c1")
      return audit.isEmpty && overrides.isEmpty ? nil : "kept \(audit.count) audit entries, overrides \(overrides)"
    }

    await check("names are stored without tags; unknown and fixed ladders are typed errors") { engine in
      let update = try await engine.setTiers(
        tiers([(" <b>Rookie</b> ", 0), ("Mid", 10), ("Top", 20)]), ladder: "level", scope: "c1", by: "admin")
      guard update.tiers.first?.name == "Rookie" else { return "stored \(update.tiers)" }
      do {
        _ = try await engine.setTiers(tiers([("A", 0)]), ladder: "nope", scope: "c1", by: "admin")
        return "an unknown ladder was accepted"
      } catch let error as AdminError where error.kind == .unknownName {}
      do {
        _ = try await engine.setTiers(update.tiers, ladder: "level", scope: nil, by: "admin")
        return "a missing scope was accepted"
      } catch let error as AdminError where error.kind == .scopeMismatch {}
      let audit = try await engine.auditLog()
      return audit.map(\.operation) == ["levels.set"] && audit.first?.actor == "admin" ? nil : "audit \(audit)"
    }

    await check("gates: requirements per scope, scoped names in the message, strangers at rank 1") { engine in
      try await engine.setTiers(
        tiers([("Newbie", 0), ("Regular", 2), ("Builder", 6)]), ladder: "level", scope: "c1", by: "admin"
      ).ignored()
      try await engine.setRequirement(gate: "courses", resource: "swift-101", scope: "c1", rank: 3, by: "admin")
      try await likes(engine, "ann", 1)
      let denied = try await engine.access(gate: "courses", resource: "swift-101", scope: "c1", user: "ann")
      guard !denied.hasAccess, denied.requiredRank == 3, denied.currentRank == 2,
        denied.message == "Unlock at Level 3 - Builder"
      else { return "ann: \(denied)" }
      let stranger = try await engine.access(gate: "courses", resource: "swift-101", scope: "c1", user: "zed")
      let open = try await engine.access(gate: "courses", resource: "other", scope: "c1", user: "zed")
      guard stranger.currentRank == 1, !stranger.hasAccess, open.hasAccess else { return "zed: \(stranger) \(open)" }
      do {
        try await engine.setRequirement(gate: "courses", resource: "x", scope: "c1", rank: 4, by: "admin")
        return "rank 4 of 3 was accepted"
      } catch let error as AdminError where error.code == "VALIDATION_ERROR" {}
      try await engine.setRequirement(gate: "courses", resource: "swift-101", scope: "c1", rank: nil, by: "admin")
      let after = try await engine.access(gate: "courses", resource: "swift-101", scope: "c1", user: "ann")
      let listed = try await engine.requirements(gate: "courses", scope: "c1")
      return after.hasAccess && listed.isEmpty ? nil : "after removal: \(after), \(listed)"
    }

    await check("manual badges: granted once, recorded, revocable; automatic ones refused") { engine in
      let ann = MemberID(scope: "c1", user: "ann")
      let first = try await engine.grantBadge("helper", to: ann, by: "admin", reason: "answered 50 questions", at: now)
      let second = try await engine.grantBadge("helper", to: ann, by: "other", at: now)
      guard first.granted, first.memberEvent != nil, !second.granted, second.memberEvent == nil else {
        return "grants \(first) \(second)"
      }
      let profile = try await engine.profile(of: ann)
      let holders = try await engine.badgeHolders("helper", scope: "c1")
      guard profile.hasBadge("helper"), profile.badges.first?.title == "Community helper",
        holders.map(\.member) == [ann]
      else { return "profile badges \(profile.badges), holders \(holders)" }
      do {
        _ = try await engine.grantBadge("liked", to: ann, by: "admin")
        return "an automatic badge was granted"
      } catch let error as AdminError where error.kind == .notManual {}
      do {
        _ = try await engine.grantBadge("nope", to: ann, by: "admin")
        return "an unknown badge was granted"
      } catch let error as AdminError where error.kind == .unknownName {}
      try await engine.revokeBadge("helper", from: ann, by: "admin", reason: "by mistake")
      let revoked = try await engine.profile(of: ann)
      let holdersAfter = try await engine.badgeHolders("helper", scope: "c1")
      let audit = try await engine.auditLog().map(\.operation)
      guard !revoked.hasBadge("helper"), holdersAfter.isEmpty, audit == ["badge.revoke", "badge.grant"] else {
        return "after revoking: \(revoked.badges), holders \(holdersAfter), audit \(audit)"
      }
      do {
        try await engine.revokeBadge("helper", from: ann, by: "admin")
        return "revoked a badge not held"
      } catch let error as AdminError where error.kind == .notHeld {}
      return nil
    }

    await check("the runtime catalogue: created, edited, listed by kind, granted") { engine in
      try await engine.createBadge(
        CatalogueBadge(name: "founder", title: "<i>Founder</i>", imageURL: "https://example.com/f.png"), by: "admin")
      do {
        try await engine.createBadge(CatalogueBadge(name: "founder", title: "Again"), by: "admin")
        return "a duplicate was created"
      } catch let error as AdminError where error.kind == .conflict {}
      do {
        try await engine.createBadge(
          CatalogueBadge(name: "bad name!", title: "", imageURL: "javascript:x"), by: "admin")
        return "an invalid badge was created"
      } catch let error as AdminError where error.problems.count == 3 {}
      try await engine.updateBadge(CatalogueBadge(name: "founder", title: "Founding member"), by: "admin")
      let runtime = try await engine.badgeCatalogue(kind: .runtime)
      let all = try await engine.badgeCatalogue()
      guard runtime.badges.map(\.title) == ["Founding member"], all.total == 3 else {
        return "catalogue \(runtime) / \(all.total)"
      }
      _ = try await engine.grantBadge("founder", to: MemberID(scope: "c1", user: "ann"), by: "admin")
      let ann = try await engine.profile(of: MemberID(scope: "c1", user: "ann"))
      return ann.badges.map(\.title) == ["Founding member"] ? nil : "ann's badges \(ann.badges)"
    }

    await check("leaderboards rank by balance or by the window's net amount, ties sharing a rank") { engine in
      try await likes(engine, "ann", 5, at: "2026-02-01T10:00:00Z")  // 10, outside 7 days
      try await likes(engine, "bob", 3, at: "2026-03-04T10:00:00Z")  // 6
      try await likes(engine, "cat", 3, at: "2026-03-04T11:00:00Z")  // 6
      try await likes(engine, "dan", 1, at: "2026-03-05T10:00:00Z")  // 2
      try await likes(engine, "eve", 1, community: "c2")
      let all = try await engine.leaderboard("top", window: .allTime, scope: "c1", user: "dan", now: now)
      let ranks = all.entries.map { "\($0.rank) \($0.user) \($0.amount)" }
      guard ranks == ["1 ann 10", "2 bob 6", "2 cat 6", "4 dan 2"] else { return "all time \(ranks)" }
      guard all.member?.rank == 4, all.neighbours.map(\.user) == ["bob", "cat", "dan"] else {
        return "dan \(String(describing: all.member)), neighbours \(all.neighbours.map(\.user))"
      }
      let week = try await engine.leaderboard(
        "top", window: .days(7), scope: "c1", limit: 2, offset: 1, user: "ann", now: now)
      let weekly = week.entries.map { "\($0.rank) \($0.user) \($0.amount)" }
      return weekly == ["1 cat 6", "3 dan 2"] && week.member == nil
        ? nil : "7 days \(weekly), ann \(String(describing: week.member))"
    }

    await check("member lists page and search; ledgers page; activity is kept") { engine in
      for user in ["alice", "alan", "bob", "albert"] { try await likes(engine, user, 1) }
      try await likes(engine, "alan", 2, at: "2026-03-02T10:00:00Z")
      let page = try await engine.members(scope: "c1", prefix: "al", limit: 2, offset: 1)
      guard page.total == 3, page.members.map(\.member.user) == ["albert", "alice"] else {
        return "page \(page.total) \(page.members.map(\.member.user))"
      }
      let ledger = try await engine.ledger(of: MemberID(scope: "c1", user: "alan"), limit: 2, offset: 0)
      guard ledger.map(\.balance) == [6, 4] else { return "ledger \(ledger.map(\.balance))" }
      let alan = try await engine.profile(of: MemberID(scope: "c1", user: "alan"))
      return alan.firstActivity?.description == "2026-03-01T10:00:00Z"
        && alan.lastActivity?.description == "2026-03-02T10:00:00Z"
        ? nil : "activity \(String(describing: alan.firstActivity)) - \(String(describing: alan.lastActivity))"
    }

    await check("the outbox: events of published actions and admin changes, in order, committed with them") { engine in
      var engine = engine
      engine.publishesEvents = true
      let decoder = ActionDecoder(rules: engine.rules)
      let batch = try [like("o1", author: "ann"), like("o2", author: "ann"), like("o1", author: "ann")].map {
        try decoder.decode($0)
      }
      let outcomes = try await engine.applyPublishing(batch)
      guard outcomes.map(\.status) == [.applied, .applied, .duplicate] else {
        return "statuses \(outcomes.map(\.status))"
      }
      _ = try await engine.apply(json: like("unpublished", author: "bob"))  // applied without publishing
      _ = try await engine.grantBadge("helper", to: MemberID(scope: "c1", user: "bob"), by: "admin", at: now)
      _ = try await engine.setTiers(
        tiers([("Newbie", 0), ("Regular", 2), ("Pro", 3)]), ladder: "level", scope: "c1", by: "admin", at: now)
      let events = try await engine.store.outbox(after: 0, limit: 100)
      let seen = events.map { "\($0.sequence) \($0.type) \($0.user)" }
      // ann's second like earns the automatic `liked` badge (4 points).
      let expected = [
        "1 PointsAwarded ann", "2 PointsAwarded ann", "3 BadgeEarned ann", "4 BadgeEarned bob",
        "5 MemberLeveledUp ann", "6 MemberLeveledUp bob",
      ]
      guard seen.count == 6, Array(seen.prefix(4)) == Array(expected.prefix(4)), Set(seen) == Set(expected) else {
        return "events \(seen)"
      }
      guard events[1].data.contains("\"new_total\":4"), events[1].json.contains("\"id\":\"2\""),
        events[1].json.contains("\"community_id\":\"c1\"")
      else { return "event 2 reads \(events[1].json)" }
      let later = try await engine.store.outbox(after: 3, limit: 1).map(\.sequence)
      guard later == [4], try await engine.store.outboxEnd() == 6 else { return "paging \(later)" }
      // A batch whose transaction fails leaves no event behind.
      let abandoned = try decoder.decode(like("o3", author: "cy"))
      _ = try? await engine.applyBatch([abandoned]) { tx, outcomes in
        try tx.enqueue(OutboxEvent.events(outcomes))
        throw AdminError(.conflict, "abandoned")
      }
      guard try await engine.store.outboxEnd() == 6 else { return "a failed batch left events" }
      _ = try await engine.applyPublishing([abandoned])
      let end = try await engine.store.outboxEnd()
      // cy's like pays 2 points and, under the scope's new tiers, a level.
      return end == 8 ? nil : "outbox ends at \(end) after one more published like"
    }

    await check("concurrent admin updates of one scope end as one of them, both audited") { engine in
      try await likes(engine, "ann", 3)
      await withTaskGroup(of: Void.self) { group in
        for (i, high) in [Int64(4), 8].enumerated() {
          group.addTask {
            _ = try? await engine.setTiers(
              tiers([("L1", 0), ("L2-\(i)", high), ("L3-\(i)", high * 10)]), ladder: "level", scope: "c1", by: "a\(i)")
          }
        }
      }
      let levels = try await engine.levels(ladder: "level", scope: "c1").levels.map(\.name)
      let audit = try await engine.auditLog()
      return (levels == ["L1", "L2-0", "L3-0"] || levels == ["L1", "L2-1", "L3-1"]) && audit.count == 2
        ? nil : "levels \(levels), \(audit.count) audit entries"
    }
    return failures
  }
}

extension TierUpdate {
  fileprivate func ignored() {}
}
