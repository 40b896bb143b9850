import Logging
import Hummingbird
import Laurel
import LaurelExpression
import Tracing

/// Seed 004's endpoints (§5) and the member read models beside them, under
/// `/api/communities/{community}` for a scoped scheme and `/api` otherwise.
extension LaurelServer {
  var base: String { definitions.isScoped ? "/api/communities/:community" : "/api" }

  func addCommunityRoutes(to router: RouterGroup<ServerContext>) {
    router.get("/api/scheme") { _, context in
      _ = try context.caller()
      return schemeJSON().response()
    }
    router.get("\(base)/members/:user/level") { _, context in
      let (caller, scope) = try await reader(context)
      let ladder = try seedLadder()
      let user = try pathID(context, "user", "member")
      let profile = try await lightProfile(MemberID(scope: scope, user: user))
      return levelJSON(profile, ladder: ladder, isSelf: user == caller.subject).response()
    }
    router.get("\(base)/levels") { _, context in
      let (caller, scope) = try await reader(context)
      let ladder = try seedLadder()
      var definitions = try await levelCounts.definitions(scope) { [engine] in
        try await engine.levels(ladder: ladder.name, scope: scope)
      }
      definitions.askingMemberRank =
        try await lightProfile(MemberID(scope: scope, user: caller.subject)).tier(ladder.name)?.rank
      return levelsJSON(definitions).response()
    }
    router.put("\(base)/levels") { request, context in
      let (caller, scope) = try await administrator(context)
      let ladder = try seedLadder()
      let body = try await RequestBody.decode(LevelsBody.self, from: request, limit: configuration.bodyLimit)
      let misnumbered = body.levels.enumerated().filter { $0.element.level != $0.offset + 1 }.map {
        APIError.Detail(field: "levels[\($0.offset)].level", message: "must be \($0.offset + 1)")
      }
      guard misnumbered.isEmpty else {
        throw APIError(
          .unprocessableContent, "VALIDATION_ERROR", "levels must be numbered 1, 2, 3… in order", details: misnumbered)
      }
      let update: TierUpdate
      do {
        update = try await withSpan("gamification.recalculate_levels") { span in
          span.attributes["laurel.community"] = scope ?? ""
          return try await engine.setTiers(
            body.levels.map { TierSetting(name: $0.name, threshold: $0.threshold) }, ladder: ladder.name, scope: scope,
            by: caller.subject)
        }
      } catch let error as AdminError {
        throw APIError.from(error, fields: ["tiers": "levels"]) ?? error
      }
      logger.info(
        "level config updated",
        metadata: [
          "community_id": "\(scope ?? "")", "admin_id": "\(caller.subject)",
          "changes": "\(update.tiers.map { "\($0.name)@\($0.threshold)" }.joined(separator: ","))",
          "members_moved": "\(update.tierChanges.count)",
        ])
      levelCounts.invalidate(scope)
      Observability.recordTierChanges(update.tierChanges, logger: logger)
      if !update.tierChanges.isEmpty { hub.announce() }
      let definitions = try await engine.levels(ladder: ladder.name, scope: scope, asking: caller.subject)
      return levelsJSON(
        definitions,
        extra: [
          ("members_recalculated", .int(update.membersRanked)), ("members_moved", .int(update.tierChanges.count)),
        ]
      ).response()
    }
    router.get("\(base)/courses/:course/access") { _, context in
      let (caller, scope) = try await reader(context)
      let gate = try seedGate()
      let course = try pathID(context, "course", "course")
      let access = try await withSpan("gamification.check_course_access") { _ in
        try await engine.access(gate: gate.name, resource: course, scope: scope, user: caller.subject)
      }
      return JSONValue.object([
        ("has_access", .bool(access.hasAccess)), ("required_level", .optional(access.requiredRank)),
        ("required_level_name", .optional(access.requiredName)), ("current_level", .int(access.currentRank)),
      ]).response()
    }
    router.put("\(base)/courses/:course/level-requirement") { request, context in
      let (caller, scope) = try await administrator(context)
      let gate = try seedGate()
      let course = try pathID(context, "course", "course")
      let body = try await RequestBody.decode(RequirementBody.self, from: request, limit: configuration.bodyLimit)
      do {
        try await engine.setRequirement(
          gate: gate.name, resource: course, scope: scope, rank: body.minimumLevel, by: caller.subject)
      } catch let error as AdminError {
        throw APIError.from(error, fields: ["rank": "minimum_level"]) ?? error
      }
      return JSONValue.object([("course_id", .string(course)), ("minimum_level", .optional(body.minimumLevel))])
        .response()
    }
    router.get("\(base)/members/:user/profile") { _, context in
      let (caller, scope) = try await reader(context)
      let user = try pathID(context, "user", "member")
      let profile = try await engine.profile(of: MemberID(scope: scope, user: user))
      return profileJSON(profile, isSelf: user == caller.subject).response()
    }
    router.get("\(base)/members/:user/ledger") { request, context in
      let (caller, scope) = try await reader(context)
      let user = try pathID(context, "user", "member")
      guard user == caller.subject || caller.mayAdminister(scope) else {
        throw APIError.forbidden("a member's ledger is theirs and their community admins' to read")
      }
      let query = Query(request: request)
      let entries = try await engine.ledger(
        of: MemberID(scope: scope, user: user), limit: try query.limit, offset: try query.offset)
      return JSONValue.object([("user_id", .string(user)), ("entries", .array(entries.map(ledgerJSON)))]).response()
    }
    router.get("\(base)/objects/:object/:key") { _, context in
      let (_, scope) = try await reader(context)
      let name = try pathID(context, "object", "object")
      let key = try pathID(context, "key", "object key")
      guard let counters = try await engine.objectCounters(of: name, key: key, scope: scope) else {
        let kept = definitions.objects
        throw APIError.notFound(
          "no such object '\(name)'"
            + (kept.isEmpty ? ": this scheme declares none" : "; this scheme keeps: \(kept.joined(separator: ", "))"))
      }
      return objectJSON(name, key: key, scope: scope, counters: counters).response()
    }
    router.get("\(base)/leaderboards/:board") { request, context in
      let (caller, scope) = try await reader(context)
      let name = try pathID(context, "board", "leaderboard")
      let query = Query(request: request)
      let window = try query.string("window").map { text throws(APIError) -> LeaderboardWindow in
        if text == "all" { return .allTime }
        guard text.hasSuffix("d"), let days = Int(text.dropLast()), (1...3660).contains(days) else {
          throw .invalid("window", "must be 'all' or a number of days such as '7d'")
        }
        return .days(days)
      }
      let board = try await engine.leaderboard(
        name, window: window, scope: scope, limit: try query.limit, offset: try query.offset, user: caller.subject)
      return JSONValue.object([
        ("board", .string(board.name)), ("window", .string(board.window.description)),
        ("currency", .string(board.currency)), ("entries", .array(board.entries.map(standingJSON))),
        ("me", board.member.map(standingJSON) ?? .null), ("neighbours", .array(board.neighbours.map(standingJSON))),
      ]).response()
    }
  }

  /// A member's balances and tiers, without the badges and activity a full
  /// profile reads: the hot level lookup is one member read.
  func lightProfile(_ member: MemberID) async throws -> MemberProfile {
    let (state, overrides) = try await engine.store.stateAndOverrides(of: member)
    guard let state else { return engine.rules.newMemberProfile(member, overrides: overrides) }
    return engine.rules.profile(of: member, state: state, overrides: overrides)
  }

  func seedLadder() throws(APIError) -> SchemeDefinitions.Ladder {
    guard let ladder else { throw .notFound("the scheme declares no ladder") }
    return ladder
  }

  func seedGate() throws(APIError) -> SchemeDefinitions.Gate {
    guard let gate else { throw .notFound("the scheme declares no gate") }
    return gate
  }

  func schemeJSON() -> JSONValue {
    let d = definitions
    return .object([
      ("scheme", .string(d.scheme)), ("scoped", .bool(d.isScoped)),
      ("currencies", .array(d.currencies.map(JSONValue.string))),
      (
        "ladders",
        .array(
          d.ladders.map { ladder in
            .object([
              ("name", .string(ladder.name)), ("currency", .string(ladder.currency)),
              ("policy", .string(ladder.policy.rawValue)), ("overridable", .bool(ladder.overridable)),
              (
                "tiers",
                .array(
                  ladder.tiers.enumerated().map { i, tier in
                    .object([
                      ("level", .int(i + 1)), ("name", .string(tier.name)), ("threshold", .int(tier.threshold)),
                      ("access", tier.access.map { .array($0.map(JSONValue.string)) } ?? .null),
                      (
                        "attributes",
                        .object(tier.attributes.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
                      ),
                    ])
                  })
              ),
            ])
          })
      ),
      (
        "badges",
        .array(
          d.badges.map {
            .object([
              ("id", .string($0.name)), ("name", .string($0.title)), ("description", .optional($0.description)),
              ("manual", .bool($0.manual)),
            ])
          })
      ),
      ("gates", .array(d.gates.map { .object([("name", .string($0.name)), ("ladder", .string($0.ladder))]) })),
      (
        "leaderboards",
        .array(
          d.leaderboards.map {
            .object([
              ("name", .string($0.name)), ("currency", .string($0.currency)),
              ("windows", .array($0.windows.map { .string($0.description) })),
            ])
          })
      ),
      (
        "progress",
        .array(
          d.progress.map { .object([("name", .string($0.name)), ("states", .array($0.states.map(JSONValue.string)))]) })
      ),
      ("action_types", .array(d.actionTypes.map(JSONValue.string))),
      ("objects", .array(d.objects.map(JSONValue.string))),
    ])
  }
}
