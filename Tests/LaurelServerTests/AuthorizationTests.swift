import Crypto
import Foundation
import JWTKit
import Laurel
@testable import LaurelServer
import Testing

/// Every route × every role (seed 004 §9): no token → 401, a stranger to the
/// community → 403 on every read of it (no IDOR), a member → 403 on admin
/// routes, members and admins → 403 on ingestion and the event stream, and
/// global admins only on `/admin`.
@Suite struct AuthorizationMatrixTests {
  enum Role: String, CaseIterable {
    case anonymous, stranger, member, communityAdmin, globalAdmin, service
  }

  struct Route {
    var method: HTTPMethod
    var path: String
    var body: String?
    /// The roles allowed; every other role gets 401 (anonymous) or 403.
    var allowed: Set<Role>
  }

  static let routes: [Route] = {
    let readers: Set<Role> = [.member, .communityAdmin, .globalAdmin]
    let admins: Set<Role> = [.communityAdmin, .globalAdmin]
    return [
      Route(method: .GET, path: "/api/communities/c1/members/ann/level", allowed: readers),
      Route(method: .GET, path: "/api/communities/c1/levels", allowed: readers),
      Route(method: .PUT, path: "/api/communities/c1/levels", body: #"{"levels":[]}"#, allowed: admins),
      Route(method: .GET, path: "/api/communities/c1/courses/swift/access", allowed: readers),
      Route(
        method: .PUT, path: "/api/communities/c1/courses/swift/level-requirement", body: #"{"minimum_level":2}"#,
        allowed: admins),
      Route(method: .GET, path: "/api/communities/c1/members/ann/profile", allowed: readers),
      // Another member's ledger: theirs and their admins' only.
      Route(method: .GET, path: "/api/communities/c1/members/bob/ledger", allowed: [.communityAdmin, .globalAdmin]),
      Route(method: .GET, path: "/api/communities/c1/leaderboards/points", allowed: readers),
      // The community scheme keeps no objects: readers get 404, others 401 or 403 first.
      Route(method: .GET, path: "/api/communities/c1/objects/post/p1", allowed: readers),
      Route(method: .GET, path: "/api/scheme", allowed: Set(Role.allCases).subtracting([.anonymous])),
      Route(method: .POST, path: "/api/actions", body: like("auth-1", author: "ann"), allowed: [.service]),
      Route(method: .POST, path: "/api/actions/batch", body: like("auth-2", author: "ann"), allowed: [.service]),
      Route(method: .GET, path: "/admin/badges", allowed: [.globalAdmin]),
      Route(method: .POST, path: "/admin/badges", body: #"{"name":"Hero"}"#, allowed: [.globalAdmin]),
      Route(method: .PUT, path: "/admin/badges/hero", body: #"{"name":"Hero"}"#, allowed: [.globalAdmin]),
      Route(method: .GET, path: "/admin/users?community=c1", allowed: [.globalAdmin]),
      Route(method: .GET, path: "/admin/users/ann/badges?community=c1", allowed: [.globalAdmin]),
      Route(
        method: .POST, path: "/admin/users/ann/badges?community=c1", body: #"{"badge_id":"hero"}"#,
        allowed: [.globalAdmin]),
      Route(method: .DELETE, path: "/admin/users/ann/badges/hero?community=c1", allowed: [.globalAdmin]),
      Route(method: .GET, path: "/admin/modules/m1/users?community=c1", allowed: [.globalAdmin]),
      Route(method: .GET, path: "/admin/audit", allowed: [.globalAdmin]),
    ]
  }()

  func token(_ role: Role, _ server: TestServer<InMemoryStore>) async throws -> String? {
    switch role {
    case .anonymous: nil
    case .stranger: try await server.token("eve", members: ["c2"], admins: ["c3"])
    case .member: try await server.token("ann", members: ["c1"])
    case .communityAdmin: try await server.token("boss", admins: ["c1"])
    case .globalAdmin: try await server.token("root", roles: ["admin"])
    case .service: try await server.token("backend", roles: ["service"])
    }
  }

  @Test func everyRouteRefusesEveryRoleItDoesNotAllow() async throws {
    let engine = Engine(rules: try shippedRules("community-points"), store: InMemoryStore())
    _ = try await engine.apply(json: like("seed", author: "ann"))
    let server = try await TestServer.start(engine)
    var mismatches: [String] = []
    for route in Self.routes {
      for role in Role.allCases {
        let reply = try await server.request(
          route.method, route.path, token: try await token(role, server), body: route.body)
        let expected = route.allowed.contains(role) ? nil : (role == .anonymous ? 401 : 403)
        if let expected {
          let code = expected == 401 ? "UNAUTHENTICATED" : "FORBIDDEN"
          if reply.status != expected || reply.code != code {
            mismatches.append("\(route.method) \(route.path) as \(role): \(reply)")
          }
        } else if reply.status == 401 || reply.status == 403 {
          mismatches.append("\(route.method) \(route.path) as \(role) was refused: \(reply)")
        }
        // Never another community's data: a refused read has no body but the error.
        if reply.status == 403, reply.text.contains("total_points") || reply.text.contains("\"levels\"") {
          mismatches.append("\(route.method) \(route.path) as \(role) leaked data")
        }
      }
    }
    #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    try await server.stop()
  }

  @Test func unknownCommunitiesAreNotFoundForThoseAllowedToLook() async throws {
    let server = try await TestServer.start(
      Engine(rules: try shippedRules("community-points"), store: InMemoryStore()))
    let root = try await server.token("root", roles: ["admin"])
    let unknown = try await server.request(.GET, "/api/communities/nowhere/levels", token: root)
    #expect(unknown.status == 404 && unknown.code == "NOT_FOUND", "\(unknown)")
    let outsider = try await server.request(
      .GET, "/api/communities/nowhere/levels", token: try await server.token("eve", members: ["c1"]))
    #expect(outsider.status == 403, "\(outsider)")
    let route = try await server.request(.GET, "/api/nothing-here", token: root)
    #expect(route.status == 404 && route.code == "NOT_FOUND")
    // A community admin may configure a community before its first action.
    let admin = try await server.token("boss", admins: ["fresh"])
    let set = try await server.request(
      .PUT, "/api/communities/fresh/courses/intro/level-requirement", token: admin, body: #"{"minimum_level":2}"#)
    #expect(set.status == 200, "\(set)")
    let now = try await server.request(.GET, "/api/communities/fresh/levels", token: root)
    #expect(now.status == 200)
    try await server.stop()
  }
}

/// Tokens (seed 004 §9.1 and the issue's list): every forged or stale token
/// is a 401 `UNAUTHENTICATED`, whatever the route.
@Suite struct TokenTests {
  static let path = "/api/communities/c1/levels"

  func base64URL(_ bytes: some Sequence<UInt8>) -> String {
    Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }

  func claims(exp: TimeInterval = 3600, nbf: TimeInterval? = nil, aud: String = "laurel") -> String {
    let now = Date().timeIntervalSince1970
    var json = #"{"sub":"ann","aud":"\#(aud)","exp":\#(Int(now + exp)),"communities":{"c1":"member"}"#
    if let nbf { json += #","nbf":\#(Int(now + nbf))"# }
    return json + "}"
  }

  func hs256(_ header: String, _ payload: String, key: [UInt8]) -> String {
    let input = base64URL(Array(header.utf8)) + "." + base64URL(Array(payload.utf8))
    let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: key))
    return input + "." + base64URL(Array(mac))
  }

  @Test func forgedAndStaleTokensAreUnauthenticated() async throws {
    let edKey = try EdDSA.PrivateKey()
    let ecKey = ES256PrivateKey()
    let ec = try #require(ecKey.publicKey.parameters)
    let jwks = """
      {"keys":[{"kty":"OKP","crv":"Ed25519","kid":"ed1","alg":"EdDSA","x":"\(base64URL(edKey.publicKey.rawRepresentation))"},\
      {"kty":"EC","crv":"P-256","kid":"ec1","alg":"ES256","x":"\(ec.x)","y":"\(ec.y)"}]}
      """
    let server = try await TestServer.start(
      Engine(rules: try shippedRules("community-points"), store: InMemoryStore())
    ) { $0.tokens = TokenSettings(secret: testSecret, jwks: jwks) }
    let hs = #"{"alg":"HS256","typ":"JWT"}"#
    let valid = hs256(hs, claims(), key: testSecret)
    #expect(try await server.request(.GET, Self.path, token: valid).status == 200)

    let signer = await JWTKeyCollection().add(eddsa: edKey, kid: "ed1")
    let payload = LaurelClaims(
      subject: "ann", audience: "laurel", expires: Date(timeIntervalSinceNow: 600), communities: ["c1": "member"])
    let edToken = try await signer.sign(payload, kid: "ed1")
    #expect(try await server.request(.GET, Self.path, token: edToken).status == 200, "EdDSA from the JWKS")
    let ecToken = try await JWTKeyCollection().add(ecdsa: ecKey, kid: "ec1").sign(payload, kid: "ec1")
    #expect(try await server.request(.GET, Self.path, token: ecToken).status == 200, "ES256 from the JWKS")
    let strangerEC = try await JWTKeyCollection().add(ecdsa: ES256PrivateKey(), kid: "ec1").sign(payload, kid: "ec1")

    let parts = valid.split(separator: ".").map(String.init)
    let forged: [(String, String)] = [
      ("expired", hs256(hs, claims(exp: -60), key: testSecret)),
      ("not yet valid", hs256(hs, claims(nbf: 600), key: testSecret)),
      ("wrong audience", hs256(hs, claims(aud: "someone-else"), key: testSecret)),
      ("wrong secret", hs256(hs, claims(), key: Array("another secret that is long enough for HS256".utf8))),
      ("alg none", base64URL(Array(#"{"alg":"none"}"#.utf8)) + "." + parts[1] + "."),
      (
        "tampered payload",
        parts[0] + "." + base64URL(Array(claims().replacingOccurrences(of: "member", with: "admin").utf8)) + "."
          + parts[2]
      ),
      // HS/EdDSA confusion: an HMAC signed with the public key, under the EdDSA key's id.
      (
        "algorithm confusion",
        hs256(#"{"alg":"HS256","kid":"ed1"}"#, claims(), key: Array(edKey.publicKey.pemRepresentation.utf8))
      ),
      ("EdDSA header on an HMAC signature", hs256(#"{"alg":"EdDSA","kid":"ed1"}"#, claims(), key: testSecret)),
      ("ES256 signed by a key not in the JWKS", strangerEC),
      ("garbage", "not-a-token"),
    ]
    for (name, token) in forged {
      let reply = try await server.request(.GET, Self.path, token: token)
      #expect(reply.status == 401 && reply.code == "UNAUTHENTICATED", "\(name): \(reply)")
      #expect(reply.headers.contains { $0.0.lowercased() == "www-authenticate" }, "\(name)")
    }
    let basic = try await server.request(.GET, Self.path, headers: [("Authorization", "Basic YWxhZGRpbjpvcGVu")])
    #expect(basic.status == 401)
    try await server.stop()
  }

  /// Verified tokens are remembered until their `exp`, never after
  /// (unit-level: an HTTP round trip on a loaded machine can outlast a short-lived token).
  @Test func aRememberedTokenStillExpires() async throws {
    let remembered = VerifiedTokens()
    remembered.remember("t", Caller(subject: "ann"), until: Date(timeIntervalSinceNow: 0.3))
    #expect(remembered.caller("t")?.subject == "ann")
    try await Task.sleep(for: .milliseconds(400))
    #expect(remembered.caller("t") == nil)
    remembered.remember("u", Caller(subject: "bob"), until: Date(timeIntervalSinceNow: 60))
    #expect(remembered.caller("u")?.subject == "bob" && remembered.caller("t") == nil)
  }

  @Test func aServerWithOnlyAJWKSRefusesHS256() async throws {
    let edKey = try EdDSA.PrivateKey()
    let jwks =
      #"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"ed1","x":"\#(base64URL(edKey.publicKey.rawRepresentation))"}]}"#
    let server = try await TestServer.start(
      Engine(rules: try shippedRules("community-points"), store: InMemoryStore())
    ) { $0.tokens = TokenSettings(jwks: jwks) }
    let confused = hs256(#"{"alg":"HS256"}"#, claims(), key: Array(edKey.publicKey.pemRepresentation.utf8))
    let reply = try await server.request(.GET, Self.path, token: confused)
    #expect(reply.status == 401, "\(reply)")
    try await server.stop()
  }
}
