import Logging
import Hummingbird
import Laurel
import LaurelExpression
import NIOCore

/// Ingestion for the host's backend (service role only: members never award
/// themselves, seed 004 §9.1). Every answer comes after the commit.
extension LaurelServer {
  func addIngestionRoutes(to router: RouterGroup<ServerContext>) {
    router.post("/api/actions") { request, context in
      try service(context)
      let bytes = try await RequestBody.collect(request, limit: configuration.bodyLimit)
      let action: PreparedAction
      do throws(ActionError) {
        action = try actionDecoder.decode(String(buffer: bytes))
      } catch {
        throw APIError(.unprocessableContent, error.kind.code, error.message)
      }
      let outcome = try await batcher.apply(action)
      if case .rejected(let error) = outcome.status {
        throw APIError(.unprocessableContent, error.kind.code, error.message)
      }
      return outcomeJSON(outcome).response()
    }
    router.post("/api/actions/batch") { request, context in
      try service(context)
      let bytes = Array(buffer: try await RequestBody.collect(request, limit: configuration.batchLimit))
      let isArray = request.headers[.contentType].map { $0.hasPrefix("application/json") } ?? false
      let items: [BatchBody.Item]
      let positionName: String
      if isArray {
        guard let elements = BatchBody.arrayElements(bytes) else {
          throw APIError(.badRequest, "INVALID_JSON", "the body is not a JSON array of actions")
        }
        if let i = elements.firstIndex(where: { !$0.text.hasPrefix("{") }) {
          throw APIError.invalid("[\(i)]", "must be an object (an action)")
        }
        items = elements
        positionName = "index"
      } else {
        items = BatchBody.lines(bytes)
        positionName = "line"
      }
      guard !items.isEmpty else { throw APIError.invalid("body", "holds no actions") }
      guard items.count <= configuration.batchActions else {
        throw APIError.invalid("body", "holds \(items.count) actions; at most \(configuration.batchActions) per batch")
      }
      var outcomes = [Outcome?](repeating: nil, count: items.count)
      var prepared: [PreparedAction] = []
      var positions: [Int] = []
      for (i, item) in items.enumerated() {
        do throws(ActionError) {
          prepared.append(try actionDecoder.decode(item.text))
          positions.append(i)
        } catch {
          var outcome = Outcome()
          outcome.status = .rejected(error)
          outcomes[i] = outcome
        }
      }
      for (i, outcome) in zip(positions, try await batcher.applyAll(prepared)) { outcomes[i] = outcome }
      var counts = (applied: 0, duplicate: 0, ignored: 0, rejected: 0)
      let rendered: [JSONValue] = zip(items, outcomes).map { item, outcome in
        let outcome = outcome ?? Outcome()
        switch outcome.status {
        case .applied: counts.applied += 1
        case .duplicate: counts.duplicate += 1
        case .ignored: counts.ignored += 1
        case .rejected: counts.rejected += 1
        }
        return outcomeJSON(outcome, position: (positionName, item.position))
      }
      return JSONValue.object([
        ("applied", .int(counts.applied)), ("duplicates", .int(counts.duplicate)), ("ignored", .int(counts.ignored)),
        ("rejected", .int(counts.rejected)), ("outcomes", .array(rendered)),
      ]).response()
    }
  }

  /// Requires the service role.
  func service(_ context: ServerContext) throws(APIError) {
    let caller = try context.caller()
    guard caller.isService else { throw .forbidden("ingestion needs the service role") }
  }
}
