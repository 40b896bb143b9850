import Foundation
import HTTPTypes
import Hummingbird
import LaurelRules
import NIOCore

extension Playground {
  /// The page, its assets and the JSON API (every `/api/` route needs the launch token).
  func addRoutes(to router: Router<PlaygroundContext>, first: String) {
    let session = self.session
    let assets = self.assets
    router.get("/") { _, _ in try assets.response(for: "index.html") }
    router.get("/assets/**") { request, _ in
      try assets.response(for: String(request.uri.path.dropFirst("/assets/".count)))
    }
    router.get("/api/state") { _, _ in await session.state(first: first) }
    router.get("/api/schema") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: assets.schema)))
    }
    router.post("/api/validate") { request, context in
      try await session.validate(request.decode(as: ValidateRequest.self, context: context).rules)
    }
    router.post("/api/set-value") { request, context in
      try await session.setValue(request.decode(as: SetValueRequest.self, context: context))
    }
    router.post("/api/simulate") { request, context in
      try await session.simulate(request.decode(as: SimulateRequest.self, context: context))
    }
    router.post("/api/diff") { request, context in
      try await session.diff(request.decode(as: DiffRequest.self, context: context))
    }
    router.post("/api/inspect") { request, context in
      try await session.inspect(request.decode(as: InspectRequest.self, context: context))
    }
    router.post("/api/save") { request, context in
      try await session.save(request.decode(as: ValidateRequest.self, context: context).rules)
    }
    router.post("/api/history/select") { request, context in
      try await session.selectHistory(request.decode(as: SelectHistoryRequest.self, context: context).id)
    }
    router.post("/api/history/upload") { request, _ in
      let limit = session.maxUploadBytes
      if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
        throw PlaygroundError(
          status: .contentTooLarge, code: "TOO_LARGE",
          message: "the history is over the upload limit of \(limit) bytes (laurel playground --max-upload-mb)")
      }
      let name = request.uri.queryParameters.get("name") ?? "upload.jsonl"
      return try await session.upload(named: name, chunks: request.body.map { Array(buffer: $0) })
    }
  }
}

extension HistoryInfo: ResponseEncodable {}
