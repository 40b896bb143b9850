import Logging
import Foundation
import Hummingbird
import Laurel
import LaurelExpression
import NIOCore

/// Unauthenticated operational routes: liveness, readiness (the store
/// answers), Prometheus metrics and the OpenAPI document.
extension LaurelServer {
  func addOperationsRoutes(to router: Router<ServerContext>) {
    router.get("/health") { _, _ in
      JSONValue.object([("status", "ok")]).response()
    }
    router.get("/ready") { _, _ in
      do {
        _ = try await engine.store.outboxEnd()
        return JSONValue.object([("status", "ready")]).response()
      } catch {
        logger.error("readiness check failed", metadata: ["error": "\(error)"])
        throw APIError(.serviceUnavailable, "NOT_READY", "the store does not answer")
      }
    }
    router.get("/metrics") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: Observability.exposition())))
    }
    router.get("/openapi.json") { _, _ in
      guard let document = OpenAPIDocument.text else {
        throw APIError(.internalServerError, "INTERNAL", "the OpenAPI document is missing from the build")
      }
      return JSONText.response(document)
    }
  }
}

/// `schemas/openapi.json`, embedded in the binary (a copy kept identical by a test).
enum OpenAPIDocument {
  static let text: String? = Bundle.module.url(forResource: "openapi", withExtension: "json").flatMap {
    try? String(contentsOf: $0, encoding: .utf8)
  }
}
