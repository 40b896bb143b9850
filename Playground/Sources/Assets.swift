import Foundation
import HTTPTypes
import Hummingbird
import LaurelRules
import NIOCore

/// The page's files (`Playground/Web`, SwiftPM resources of this module),
/// read once at start and served from memory: no path from a request ever
/// reaches the file system.
struct Assets: Sendable {
  private var files: [String: (type: String, bytes: ByteBuffer)] = [:]
  /// The rule files' JSON Schema, for the editor's completion and hover help.
  let schema = Schemas.rules().rendered()

  static func load() throws -> Assets {
    guard let root = Bundle.module.url(forResource: "Web", withExtension: nil) else {
      throw PlaygroundStartError(description: "the playground's page is missing from the installation (Web resources)")
    }
    var assets = Assets()
    let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
    let prefix = root.standardizedFileURL.resolvingSymlinksInPath().path + "/"
    while let url = enumerator?.nextObject() as? URL {
      guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
        let data = FileManager.default.contents(atPath: url.path)
      else { continue }
      let path = url.standardizedFileURL.resolvingSymlinksInPath().path
      guard path.hasPrefix(prefix) else { continue }
      assets.files[String(path.dropFirst(prefix.count))] = (Self.type(of: path), ByteBuffer(bytes: data))
    }
    guard assets.files["index.html"] != nil else {
      throw PlaygroundStartError(description: "the playground's index.html is missing from \(root.path)")
    }
    return assets
  }

  static func type(of path: String) -> String {
    switch (path as NSString).pathExtension {
    case "html": "text/html; charset=utf-8"
    case "js": "text/javascript; charset=utf-8"
    case "css": "text/css; charset=utf-8"
    case "svg": "image/svg+xml"
    case "png": "image/png"
    case "json": "application/json; charset=utf-8"
    default: "text/plain; charset=utf-8"
    }
  }

  func response(for path: String) throws -> Response {
    guard let file = files[path] else { throw PlaygroundError.notFound("no such page: /\(path)") }
    return Response(status: .ok, headers: [.contentType: file.type], body: .init(byteBuffer: file.bytes))
  }
}
