public import Hummingbird
public import HummingbirdAuth

/// The request context of `laurel serve`: Hummingbird's core context plus the
/// caller a bearer token identified (nil before authentication).
public struct ServerContext: AuthRequestContext, RequestContext {
  public var coreContext: CoreRequestContextStorage
  public var identity: Caller?

  public init(source: Source) {
    coreContext = .init(source: source)
    identity = nil
  }

  /// The authenticated caller.
  ///
  /// - Throws: 401 `UNAUTHENTICATED` when the request carried no valid token.
  func caller() throws(APIError) -> Caller {
    guard let identity else { throw .unauthenticated("a bearer token is required") }
    return identity
  }
}

/// Authenticates `Authorization: Bearer` tokens (HummingbirdAuth): a valid
/// token sets the caller; a missing one leaves it unset (the route decides);
/// an invalid one ends the request with 401 — it is never treated as anonymous.
struct BearerAuthenticator: AuthenticatorMiddleware {
  typealias Context = ServerContext
  let verifier: TokenVerifier

  func authenticate(request: Request, context: ServerContext) async throws -> Caller? {
    guard request.headers[.authorization] != nil else { return nil }
    guard let bearer = request.headers.bearer else {
      throw APIError.unauthenticated("the Authorization header must be 'Bearer <token>'")
    }
    return try await verifier.caller(from: bearer.token)
  }
}
