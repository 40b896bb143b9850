public import Foundation
import JWTKit

/// Signs HS256 tokens with the server's secret: `laurel token` and tests.
/// Production tokens come from the host's identity provider.
public struct TokenIssuer: Sendable {
  private let keys: JWTKeyCollection
  public var audience: String
  public var issuer: String?

  public init(secret: [UInt8], audience: String = "laurel", issuer: String? = nil) async {
    keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    self.audience = audience
    self.issuer = issuer
  }

  /// A token for `subject` with roles per community and global roles.
  public func token(
    subject: String, members: [String] = [], admins: [String] = [], roles: [String] = [],
    expiresIn: TimeInterval = 3600, notBefore: Date? = nil
  ) async throws -> String {
    var communities: [String: String] = [:]
    for id in members { communities[id] = "member" }
    for id in admins { communities[id] = "admin" }
    let claims = LaurelClaims(
      subject: subject, audience: audience, expires: Date(timeIntervalSinceNow: expiresIn), notBefore: notBefore,
      issuer: issuer, communities: communities.isEmpty ? nil : communities, roles: roles.isEmpty ? nil : roles)
    return try await keys.sign(claims)
  }
}
