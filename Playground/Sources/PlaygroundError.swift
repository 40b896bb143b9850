import Foundation
import HTTPTypes
import Hummingbird
import LaurelDiagnostics

/// An answer other than 200: a status, a stable code, a sentence, and for
/// invalid rules every problem with its position.
struct PlaygroundError: Error, HTTPResponseError, CustomStringConvertible, Sendable {
  var status: HTTPResponse.Status
  var code: String
  var message: String
  var problems: [Problem]?

  var description: String { message }

  static func invalidRules(_ error: DiagnosticError) -> Self {
    let errors = error.diagnostics.filter { $0.severity == .error }
    let first = errors.first.map { $0.description } ?? "the rules are not valid"
    return Self(
      status: .unprocessableContent, code: "INVALID_RULES",
      message: errors.count > 1 ? "\(first) (and \(errors.count - 1) more)" : first,
      problems: error.diagnostics.map(Problem.init))
  }

  static func badRequest(_ message: String, code: String = "BAD_REQUEST") -> Self {
    Self(status: .badRequest, code: code, message: message)
  }

  static func forbidden(_ message: String) -> Self { Self(status: .forbidden, code: "FORBIDDEN", message: message) }

  static func notFound(_ message: String) -> Self { Self(status: .notFound, code: "NOT_FOUND", message: message) }

  func response(from request: Request, context: some RequestContext) throws -> Response {
    let body = ErrorBody(error: .init(code: code, message: message, problems: problems))
    let data = try JSONEncoder.playground.encode(body)
    return Response(
      status: status, headers: [.contentType: "application/json; charset=utf-8"],
      body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }
}

extension JSONEncoder {
  /// snake_case keys, as Laurel's other JSON.
  static var playground: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return encoder
  }
}

extension JSONDecoder {
  static var playground: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return decoder
  }
}
