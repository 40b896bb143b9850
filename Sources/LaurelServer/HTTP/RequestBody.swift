import Foundation
import Hummingbird
import NIOCore

/// Request bodies decoded strictly: a field the type does not know, a value
/// of the wrong type or out of range, or a missing field is a 422
/// `VALIDATION_ERROR` naming the field's path (`levels[2].threshold`), and
/// bodies over the limit are a 413.
enum RequestBody {
  static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
    let bytes = try await collect(request, limit: limit)
    do {
      return try JSONDecoder().decode(T.self, from: Data(bytes.readableBytesView))
    } catch let error as DecodingError {
      throw APIError.decoding(error)
    }
  }

  /// The whole body, refused with 413 beyond `limit` bytes.
  static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
    do {
      return try await request.body.collect(upTo: limit)
    } catch is NIOTooManyBytesError {
      throw APIError(.contentTooLarge, "PAYLOAD_TOO_LARGE", "the body is larger than \(limit) bytes")
    }
  }
}

extension APIError {
  static func decoding(_ error: DecodingError) -> APIError {
    switch error {
    case .keyNotFound(let key, let context):
      return .invalid(path(context.codingPath + [key]), "is required")
    case .typeMismatch(let type, let context):
      return .invalid(path(context.codingPath), "must be \(describe(type))")
    case .valueNotFound(let type, let context):
      return .invalid(path(context.codingPath), "must be \(describe(type)), not null")
    case .dataCorrupted(let context):
      if context.codingPath.isEmpty {
        return APIError(.badRequest, "INVALID_JSON", "the body is not valid JSON")
      }
      return .invalid(path(context.codingPath), context.debugDescription)
    @unknown default:
      return .invalid("", "the body is not valid")
    }
  }

  static func path(_ keys: [any CodingKey]) -> String {
    var out = ""
    for key in keys {
      if let index = key.intValue, key.stringValue.isEmpty || key.stringValue == "Index \(index)" {
        out += "[\(index)]"
      } else {
        out += out.isEmpty ? key.stringValue : "." + key.stringValue
      }
    }
    return out.isEmpty ? "body" : out
  }

  private static func describe(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
    case is String.Type: "a string"
    case is Bool.Type: "true or false"
    case is Double.Type: "a number"
    default: type is any Collection.Type ? "an array" : "an object"
    }
  }
}

/// A coding key for any field name, to list the fields a body has.
struct AnyCodingKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

extension Decoder {
  /// Refuses fields outside `Keys` (strict decoding).
  func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
    let known = Set(Keys.allCases.map(\.stringValue))
    let container = try self.container(keyedBy: AnyCodingKey.self)
    if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: codingPath + [unknown],
          debugDescription:
            "unknown field; expected one of \(Keys.allCases.map(\.stringValue).sorted().joined(separator: ", "))"))
    }
  }
}
