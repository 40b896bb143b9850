public import Hummingbird
import Laurel
import NIOCore

/// An error answered over HTTP, always in one shape (seed 004 §5.4):
/// `{"error":{"code":"VALIDATION_ERROR","message":"…","details":[{"field":"levels[2].name","message":"…"}]}}`.
/// Nothing else reaches a client: no stack trace, no store path, no SQL.
public struct APIError: Error, HTTPResponseError, Sendable {
  /// One problem of a request, and the field it concerns.
  public struct Detail: Sendable, Equatable, Encodable {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
      self.field = field
      self.message = message
    }
  }

  public var status: HTTPResponse.Status
  /// `UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`, `VALIDATION_ERROR`, …
  public var code: String
  public var message: String
  public var details: [Detail]
  /// Headers to add (`WWW-Authenticate` on a 401).
  var headers: HTTPFields = [:]

  public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, details: [Detail] = []) {
    self.status = status
    self.code = code
    self.message = message
    self.details = details
  }

  static func unauthenticated(_ message: String) -> APIError {
    var error = APIError(.unauthorized, "UNAUTHENTICATED", message)
    error.headers[.wwwAuthenticate] = "Bearer"
    return error
  }
  static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "FORBIDDEN", message) }
  static func notFound(_ message: String) -> APIError { APIError(.notFound, "NOT_FOUND", message) }
  static func invalid(_ field: String, _ message: String) -> APIError {
    APIError(
      .unprocessableContent, "VALIDATION_ERROR", "\(field): \(message)",
      details: [Detail(field: field, message: message)])
  }

  public func response(from request: Request, context: some RequestContext) throws -> Response {
    var body = "{\"error\":{\"code\":\(JSONText.quote(code)),\"message\":\(JSONText.quote(message)),\"details\":["
    body += details.map { "{\"field\":\(JSONText.quote($0.field)),\"message\":\(JSONText.quote($0.message))}" }
      .joined(separator: ",")
    body += "]}}"
    var response = JSONText.response(body, status: status)
    response.headers.append(contentsOf: headers)
    return response
  }
}

extension APIError {
  /// The API's answer to an engine error: admin and query errors keep their
  /// codes (validation problems become details, with the request's field
  /// names); anything else is an internal error, its text kept out of the body.
  static func from(_ error: any Error, fields: [String: String] = [:]) -> APIError? {
    switch error {
    case let error as APIError: return error
    case let error as AdminError:
      let details = error.problems.map { Detail(field: rename($0.field, fields), message: $0.message) }
      switch error.kind {
      case .validation:
        let message = details.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        return APIError(.unprocessableContent, error.code, message.isEmpty ? error.message : message, details: details)
      case .unknownName, .notHeld: return APIError(.notFound, "NOT_FOUND", error.message)
      case .conflict: return APIError(.conflict, "CONFLICT", error.message)
      case .notManual, .notOverridable, .scopeMismatch:
        return APIError(.unprocessableContent, error.code, error.message)
      }
    case let error as QueryError: return APIError(.notFound, "NOT_FOUND", error.description)
    default: return nil
    }
  }

  /// `tiers[2].name` → `levels[2].name` when `fields` maps `tiers` to `levels`.
  private static func rename(_ field: String, _ fields: [String: String]) -> String {
    for (from, to) in fields where field == from || field.hasPrefix(from + "[") || field.hasPrefix(from + ".") {
      return to + field.dropFirst(from.count)
    }
    return field
  }
}

/// JSON bodies written by hand where the shape is fixed.
enum JSONText {
  /// A JSON string literal (the package's one quoting function).
  static func quote(_ text: String) -> String { JSON.quote(text) }

  static func response(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "application/json; charset=utf-8"],
      body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
  }
}
