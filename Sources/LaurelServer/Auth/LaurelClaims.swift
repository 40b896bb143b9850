public import Foundation
public import JWTKit

/// The claims of a Laurel token.
///
/// ```json
/// {"sub": "ann", "aud": "laurel", "exp": 1767225600,
///  "communities": {"c1": "member", "c2": "admin"}, "roles": ["admin", "service"]}
/// ```
///
/// `exp` is required; `nbf` and `iss` are checked when present (and `iss`
/// must be present when the server names an issuer); `aud` must include the
/// server's audience.
public struct LaurelClaims: JWTPayload, Equatable {
  public var sub: SubjectClaim
  public var aud: AudienceClaim
  public var exp: ExpirationClaim
  public var nbf: NotBeforeClaim?
  public var iat: IssuedAtClaim?
  public var iss: IssuerClaim?
  /// Roles by community id: `member` or `admin`.
  public var communities: [String: String]?
  /// Global roles: `admin`, `service`.
  public var roles: [String]?

  public init(
    subject: String, audience: String, expires: Date, notBefore: Date? = nil, issuer: String? = nil,
    communities: [String: String]? = nil, roles: [String]? = nil
  ) {
    sub = SubjectClaim(value: subject)
    aud = AudienceClaim(value: audience)
    exp = ExpirationClaim(value: expires)
    nbf = notBefore.map { NotBeforeClaim(value: $0) }
    iat = IssuedAtClaim(value: Date())
    iss = issuer.map { IssuerClaim(value: $0) }
    self.communities = communities
    self.roles = roles
  }

  public func verify(using algorithm: some JWTAlgorithm) async throws {
    try exp.verifyNotExpired()
    try nbf?.verifyNotBefore()
  }

  /// The caller these claims describe; unknown roles are ignored.
  var caller: Caller {
    Caller(
      subject: sub.value,
      communities: (communities ?? [:]).compactMapValues(Caller.CommunityRole.init(rawValue:)),
      isAdmin: roles?.contains("admin") ?? false, isService: roles?.contains("service") ?? false)
  }
}
