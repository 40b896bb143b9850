import Logging
import HTTPTypes
import Hummingbird
import Laurel
import LaurelExpression
import NIOCore
import ServiceLifecycle

/// `GET /api/events`: the outbox as server-sent events, for local consumers
/// (service role or global admins). Each event is `id: <sequence>`,
/// `event: <type>`, `data: <event JSON>`; a reconnecting client sends
/// `Last-Event-ID` (or `?after=N`) and gets every event after it; without
/// either the stream starts with the next event. A comment line keeps idle
/// connections open; the stream ends when the server stops.
extension LaurelServer {
  func addEventRoutes(to router: RouterGroup<ServerContext>) {
    router.get("/api/events") { request, context in
      let caller = try context.caller()
      guard caller.isService || caller.isAdmin else {
        throw APIError.forbidden("the event stream needs the service or admin role")
      }
      let resume = request.headers[.lastEventID] ?? Query(request: request).string("after")
      let start: Int64
      if let resume {
        guard let sequence = Int64(resume), sequence >= 0 else {
          throw APIError.invalid("after", "must be an event id (a non-negative integer)")
        }
        start = sequence
      } else {
        start = try await engine.store.outboxEnd()
      }
      let store = engine.store
      let wakes = hub.subscribe(tick: .seconds(15))
      return Response(
        status: .ok,
        headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
        body: ResponseBody { writer in
          // The server stops accepting, then waits for requests in flight:
          // open streams end at once instead of holding the stop up.
          try await withGracefulShutdownHandler {
            try await stream(from: start, wakes: wakes, store: store, into: &writer)
          } onGracefulShutdown: {
            hub.close()
          }
          try await writer.finish(nil)
        })
    }
  }

  private func stream(
    from start: Int64, wakes: AsyncStream<Void>, store: S, into writer: inout some ResponseBodyWriter
  ) async throws {
    var cursor = start
    try await writer.write(ByteBuffer(string: ": laurel events after \(start)\n\n"))
    var iterator = wakes.makeAsyncIterator()
    repeat {
      var sent = false
      while true {
        let events = try await store.outbox(after: cursor, limit: 500)
        guard let last = events.last else { break }
        var text = ""
        for event in events {
          text += "id: \(event.sequence)\nevent: \(event.type)\ndata: \(event.json)\n\n"
        }
        try await writer.write(ByteBuffer(string: text))
        cursor = last.sequence
        sent = true
      }
      if !sent { try await writer.write(ByteBuffer(string: ":\n\n")) }
    } while await iterator.next() != nil
  }
}

extension HTTPField.Name {
  static let lastEventID = Self("Last-Event-ID")!
}
