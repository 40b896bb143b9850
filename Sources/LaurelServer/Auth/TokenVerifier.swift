import Foundation
import JWTKit
import Synchronization

/// How tokens are checked: an HS256 secret, a JWKS of public keys (RS256,
/// ES256, EdDSA…), or both, and the audience (and issuer) they must name.
public struct TokenSettings: Sendable {
  /// The HS256 secret; nil accepts no HS256 token.
  public var secret: [UInt8]?
  /// A JWKS document (JSON) of public keys; nil accepts no asymmetric token.
  public var jwks: String?
  public var audience: String
  /// When set, tokens must carry this `iss`.
  public var issuer: String?

  public init(secret: [UInt8]? = nil, jwks: String? = nil, audience: String = "laurel", issuer: String? = nil) {
    self.secret = secret
    self.jwks = jwks
    self.audience = audience
    self.issuer = issuer
  }
}

/// Checks bearer tokens with jwt-kit and turns them into a ``Caller``.
///
/// The header's `alg` picks the key set before anything is verified: `HS256`
/// only against the secret, asymmetric algorithms only against the JWKS, and
/// the key found must be of that very algorithm. So `alg: none`, an HS256
/// token signed with a public key (algorithm confusion) and a token whose
/// header was edited are all refused, like expired, not-yet-valid,
/// wrong-audience and tampered ones: 401 `UNAUTHENTICATED`.
public struct TokenVerifier: Sendable {
  private let verified = VerifiedTokens()
  private let symmetric: JWTKeyCollection?
  private let asymmetric: JWTKeyCollection?
  private let settings: TokenSettings
  static let asymmetricAlgorithms: Set<String> = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
  ]

  /// - Throws: when the JWKS is not a valid key set, or neither a secret nor keys are given.
  public init(_ settings: TokenSettings) async throws {
    self.settings = settings
    if let secret = settings.secret {
      guard secret.count >= 32 else { throw TokenSettingsError("the HS256 secret must be at least 32 bytes") }
      symmetric = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    } else {
      symmetric = nil
    }
    if let jwks = settings.jwks {
      do {
        asymmetric = try await JWTKeyCollection().add(jwksJSON: jwks)
      } catch {
        throw TokenSettingsError("the JWKS is not a valid key set: \(error)")
      }
    } else {
      asymmetric = nil
    }
    guard symmetric != nil || asymmetric != nil else {
      throw TokenSettingsError("no key: give an HS256 secret or a JWKS")
    }
  }

  /// The caller a token names.
  ///
  /// - Throws: ``APIError`` 401 `UNAUTHENTICATED`, saying why.
  public func caller(from token: String) async throws(APIError) -> Caller {
    if let caller = verified.caller(token) { return caller }
    let header = try Self.header(of: token)
    let keys: JWTKeyCollection?
    if header.alg == "HS256" {
      keys = symmetric
    } else if Self.asymmetricAlgorithms.contains(header.alg) {
      keys = asymmetric
    } else {
      throw .unauthenticated("the token's algorithm '\(header.alg)' is not accepted")
    }
    guard let keys else { throw .unauthenticated("the token's algorithm '\(header.alg)' is not accepted here") }
    let claims: LaurelClaims
    do {
      let key = try await keys.getKey(for: header.kid.flatMap { JWKIdentifier(string: $0) }, alg: header.alg)
      guard key.name == header.alg else {
        throw APIError.unauthenticated("the token's algorithm does not match its key")
      }
      claims = try await keys.verify(token, as: LaurelClaims.self)
    } catch let error as APIError {
      throw error
    } catch let error as JWTError {
      throw .unauthenticated(Self.reason(error))
    } catch {
      throw .unauthenticated("the token is not valid")
    }
    guard claims.aud.value.contains(settings.audience) else {
      throw .unauthenticated("the token is not meant for this service")
    }
    if let issuer = settings.issuer, claims.iss?.value != issuer {
      throw .unauthenticated("the token was not issued by '\(issuer)'")
    }
    guard !claims.sub.value.isEmpty else { throw .unauthenticated("the token names no subject") }
    verified.remember(token, claims.caller, until: claims.exp.value)
    return claims.caller
  }

  struct Header: Decodable {
    var alg: String
    var kid: String?
  }

  static func header(of token: String) throws(APIError) -> Header {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let data = Data(base64URL: parts[0]),
      let header = try? JSONDecoder().decode(Header.self, from: data)
    else { throw .unauthenticated("the token is not a JWT") }
    return header
  }

  private static func reason(_ error: JWTError) -> String {
    switch error.errorType {
    case .claimVerificationFailure:
      let reason = error.reason ?? ""
      if reason.contains("expired") { return "the token has expired" }
      if reason.contains("too soon") { return "the token is not valid yet" }
      return "a claim of the token is not valid"
    case .signatureVerificationFailed: return "the token's signature is not valid"
    default: return "the token is not valid"
    }
  }
}

/// Tokens verified already, until they expire: a client sends the same
/// token with every request, and checking its signature and decoding its
/// claims each time was the largest cost of a cheap read. Bounded: when full,
/// it starts again empty.
final class VerifiedTokens: Sendable {
  private let entries = Mutex<[String: (caller: Caller, expires: Date)]>([:])
  static let capacity = 50_000

  func caller(_ token: String) -> Caller? {
    entries.withLock { entries in
      guard let entry = entries[token] else { return nil }
      guard Date() < entry.expires else {
        entries[token] = nil
        return nil
      }
      return entry.caller
    }
  }

  func remember(_ token: String, _ caller: Caller, until expires: Date) {
    entries.withLock { entries in
      if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
      entries[token] = (caller, expires)
    }
  }
}

/// Why tokens cannot be checked with the settings given.
public struct TokenSettingsError: Error, CustomStringConvertible, Sendable {
  public var description: String
  init(_ description: String) { self.description = description }
}

extension Data {
  /// Decodes base64url without padding (JWT segments).
  init?(base64URL text: some StringProtocol) {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    self.init(base64Encoded: base64)
  }
}
