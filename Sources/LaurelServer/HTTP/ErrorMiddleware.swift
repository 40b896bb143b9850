import Hummingbird
import Logging

/// Turns every error into the API's one error shape: ``APIError``s as they
/// are, engine errors by their kind, Hummingbird's own (an unknown route, a
/// wrong method) by status; anything else is logged with its detail and
/// answered as a bare 500 `INTERNAL` — no stack trace or store text leaves
/// the server.
struct ErrorMiddleware: RouterMiddleware {
  typealias Context = ServerContext

  func handle(
    _ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response
  ) async throws -> Response {
    do {
      return try await next(request, context)
    } catch {
      let answer = Self.answer(error)
      if answer.status == .internalServerError {
        context.logger.error(
          "request failed",
          metadata: [
            "error": "\(String(reflecting: error))", "method": "\(request.method)", "path": "\(request.uri.path)",
          ])
      }
      return try answer.response(from: request, context: context)
    }
  }

  static func answer(_ error: any Error) -> APIError {
    if let api = APIError.from(error) { return api }
    if let http = error as? HTTPError {
      switch http.status {
      case .notFound: return .notFound("no such resource")
      case .methodNotAllowed: return APIError(.methodNotAllowed, "METHOD_NOT_ALLOWED", "the method is not allowed here")
      case .contentTooLarge: return APIError(.contentTooLarge, "PAYLOAD_TOO_LARGE", "the body is too large")
      case .badRequest: return APIError(.badRequest, "BAD_REQUEST", http.body ?? "the request is malformed")
      case .unauthorized: return .unauthenticated("a bearer token is required")
      default:
        return APIError(http.status, "HTTP_\(http.status.code)", http.body ?? http.status.reasonPhrase)
      }
    }
    if let decoding = error as? DecodingError { return .decoding(decoding) }
    if error is CancellationError {
      return APIError(.serviceUnavailable, "UNAVAILABLE", "the server is shutting down")
    }
    return APIError(.internalServerError, "INTERNAL", "the request could not be completed")
  }
}
