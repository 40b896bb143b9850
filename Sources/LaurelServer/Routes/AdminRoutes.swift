import Logging
import Hummingbird
import Laurel
import LaurelExpression

/// Seed 000's admin API (§3.1), for global admins: the badge catalogue,
/// special-badge grants, member lists and module progress, and the audit
/// log. In a scoped scheme, member routes take `?community=`.
extension LaurelServer {
  func addAdminRoutes(to router: RouterGroup<ServerContext>) {
    router.get("/admin/badges") { request, context in
      _ = try globalAdmin(context)
      let query = Query(request: request)
      let kind = try query.string("kind").map { text throws(APIError) -> CatalogueBadge.Kind in
        guard let kind = CatalogueBadge.Kind(rawValue: text) else {
          throw .invalid("kind", "must be one of automatic, manual, runtime")
        }
        return kind
      }
      let page = try await engine.badgeCatalogue(kind: kind, limit: try query.limit, offset: try query.offset)
      return JSONValue.object([("total", .int(page.total)), ("badges", .array(page.badges.map(catalogueJSON)))])
        .response()
    }
    router.post("/admin/badges") { request, context in
      let caller = try globalAdmin(context)
      let body = try await RequestBody.decode(BadgeBody.self, from: request, limit: configuration.bodyLimit)
      let id = body.id ?? Self.slug(body.name)
      let badge = try await Self.renamingFields(Self.badgeFields) {
        try await engine.createBadge(
          CatalogueBadge(name: id, title: body.name, description: body.description, imageURL: body.imageURL),
          by: caller.subject)
      }
      return catalogueJSON(badge).response(.created)
    }
    router.put("/admin/badges/:badge") { request, context in
      let caller = try globalAdmin(context)
      let id = try pathID(context, "badge", "badge")
      let body = try await RequestBody.decode(BadgeBody.self, from: request, limit: configuration.bodyLimit)
      if let bodyID = body.id, bodyID != id { throw APIError.invalid("id", "must match the path's badge id") }
      let badge = try await Self.renamingFields(Self.badgeFields) {
        try await engine.updateBadge(
          CatalogueBadge(name: id, title: body.name, description: body.description, imageURL: body.imageURL),
          by: caller.subject)
      }
      return catalogueJSON(badge).response()
    }
    router.get("/admin/users") { request, context in
      _ = try globalAdmin(context)
      let query = Query(request: request)
      let scope = try adminScope(query)
      let page = try await engine.members(
        scope: scope, prefix: query.string("search") ?? "", limit: try query.limit, offset: try query.offset)
      let users: [JSONValue] = page.members.map { profile in
        .object([
          ("user_id", .string(profile.member.user)), ("community_id", .optional(profile.member.scope)),
          ("balances", .object(profile.balances.map { ($0.currency, .int($0.amount)) })),
          (
            "tiers",
            .array(
              profile.tiers.map {
                .object([("ladder", .string($0.ladder)), ("level", .int($0.rank)), ("name", .optional($0.name))])
              })
          ),
        ])
      }
      return JSONValue.object([("total", .int(page.total)), ("users", .array(users))]).response()
    }
    router.get("/admin/users/:user/badges") { request, context in
      _ = try globalAdmin(context)
      let member = MemberID(scope: try adminScope(Query(request: request)), user: try pathID(context, "user", "user"))
      let profile = try await engine.profile(of: member)
      let grants = try await engine.grants(of: member)
      let badges: [JSONValue] = profile.badges.map { badge in
        let grant = grants.first { $0.badge == badge.badge && $0.key == badge.key }?.grant
        guard case .object(var fields) = badgeJSON(badge) else { return .null }
        fields.append(("granted_by", .optional(grant?.grantedBy)))
        fields.append(("reason", .optional(grant?.reason)))
        return .object(fields)
      }
      return JSONValue.object([("user_id", .string(member.user)), ("badges", .array(badges))]).response()
    }
    router.post("/admin/users/:user/badges") { request, context in
      let caller = try globalAdmin(context)
      let member = MemberID(scope: try adminScope(Query(request: request)), user: try pathID(context, "user", "user"))
      let body = try await RequestBody.decode(GrantBody.self, from: request, limit: configuration.bodyLimit)
      let result = try await engine.grantBadge(
        body.badgeID, key: body.key, to: member, by: caller.subject, reason: body.reason)
      if result.granted { hub.announce() }
      return JSONValue.object([
        ("granted", .bool(result.granted)), ("user_id", .string(member.user)), ("badge_id", .string(body.badgeID)),
        ("key", .optional(body.key)), ("earned_timestamp", .string(result.award.at.description)),
      ]).response(result.granted ? .created : .ok)
    }
    router.delete("/admin/users/:user/badges/:badge") { request, context in
      let caller = try globalAdmin(context)
      let query = Query(request: request)
      let member = MemberID(scope: try adminScope(query), user: try pathID(context, "user", "user"))
      try await engine.revokeBadge(
        try pathID(context, "badge", "badge"), key: query.string("key"), from: member, by: caller.subject,
        reason: query.string("reason"))
      return Response(status: .noContent)
    }
    router.get("/admin/modules/:module/users") { request, context in
      _ = try globalAdmin(context)
      guard let progress else { throw APIError.notFound("the scheme declares no progress map") }
      let query = Query(request: request)
      let module = try pathID(context, "module", "module")
      let state = query.string("status")
      if let state, !progress.states.contains(state) {
        throw APIError.invalid("status", "must be one of \(progress.states.joined(separator: ", "))")
      }
      let members = try await engine.members(
        scope: try adminScope(query), progress: progress.name, key: module, state: state)
      let users: [JSONValue] = members.map {
        .object([("user_id", .string($0.member.user)), ("completion_status", .string($0.state))])
      }
      return JSONValue.object([("module_id", .string(module)), ("users", .array(users))]).response()
    }
    router.get("/admin/audit") { request, context in
      _ = try globalAdmin(context)
      let query = Query(request: request)
      let entries = try await engine.auditLog(limit: try query.limit, offset: try query.offset)
      let rows: [JSONValue] = entries.map {
        .object([
          ("at", .string($0.at.description)), ("actor", .string($0.actor)), ("operation", .string($0.operation)),
          ("community_id", .optional($0.scope)), ("target", .string($0.target)), ("before", .optional($0.before)),
          ("after", .optional($0.after)), ("reason", .optional($0.reason)),
        ])
      }
      return JSONValue.object([("entries", .array(rows))]).response()
    }
  }

  /// The `community` query parameter: required in a scoped scheme, refused otherwise.
  func adminScope(_ query: Query) throws(APIError) -> String? {
    let community = query.string("community")
    if definitions.isScoped {
      guard let community, Self.isValidID(community) else {
        throw .invalid("community", "is required: the scheme's members belong to communities")
      }
      return community
    }
    guard community == nil else { throw .invalid("community", "the scheme has no communities") }
    return nil
  }

  /// The catalogue's field names as the API spells them.
  static var badgeFields: [String: String] { ["name": "id", "title": "name", "imageURL": "image_url"] }

  /// Runs an engine call, reporting validation problems under the API's field names.
  static func renamingFields<T>(_ fields: [String: String], _ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as AdminError {
      throw APIError.from(error, fields: fields) ?? error
    }
  }

  /// `Special Recognition` → `special_recognition` (ASCII letters and digits).
  static func slug(_ name: String) -> String {
    var out = ""
    for scalar in name.lowercased().unicodeScalars {
      if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
        out.unicodeScalars.append(scalar)
      } else if !out.isEmpty, out.last != "_" {
        out += "_"
      }
    }
    while out.hasSuffix("_") { out.removeLast() }
    return out.isEmpty ? "badge" : out
  }
}
