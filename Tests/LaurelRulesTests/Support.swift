import Foundation
import Laurel
import LaurelDiagnostics
import LaurelRules

/// Writes YAML to a temporary `broken.yaml` and loads it.
enum RuleFiles {
  static func diagnostics(_ yaml: String, loader: RuleLoader = RuleLoader()) throws -> [String] {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("broken.yaml")
    try yaml.write(to: file, atomically: true, encoding: .utf8)
    return loader.loadSchemes(paths: [file.path]).flatMap(\.diagnostics).map {
      $0.description.replacingOccurrences(of: dir.path + "/", with: "")
    }
  }

  /// A valid scheme to break one piece at a time.
  static let base = """
    scheme: test
    fields: { minutes: int, module: string, author: string }
    traits: { plan: { values: [Free, Paid], default: Free } }
    currencies: { xp: { floor: 0 } }
    counters: { messages: { key: event.module } }
    """
}
