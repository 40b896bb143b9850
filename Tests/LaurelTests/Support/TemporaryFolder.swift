import Foundation

/// A folder of its own under the system's temporary folder, removed with
/// everything in it when the last reference goes (each suite instance holds
/// one, so every test cleans up after itself, passing or failing).
final class TemporaryFolder: Sendable {
  let url: URL

  init(_ prefix: String) throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: url) }
}
