import ArgumentParser
import Foundation
import LaurelRules

/// `laurel schema [rules|action|simulate-report]`: prints a JSON Schema.
struct Schema: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the JSON Schema of rule files, actions or reports (for editors and validators).",
    discussion:
      "Schemas: \(Schemas.all.map(\.name).joined(separator: ", ")). With --write DIR, writes every schema file there.")

  @Argument(help: "Which schema to print.")
  var name = "rules"

  @Option(help: "Write every schema into this folder instead of printing one.")
  var write: String?

  func run() throws {
    if let write {
      try FileManager.default.createDirectory(atPath: write, withIntermediateDirectories: true)
      for schema in Schemas.all {
        let url = URL(fileURLWithPath: write).appendingPathComponent(schema.file)
        try schema.schema().rendered().write(to: url, atomically: true, encoding: .utf8)
        try Output.print("wrote \(url.path)")
      }
      return
    }
    guard let schema = Schemas.all.first(where: { $0.name == name }) else {
      throw ValidationError(
        "unknown schema '\(name)'; choose one of: \(Schemas.all.map(\.name).joined(separator: ", "))")
    }
    try Output.print(schema.schema().rendered(), terminator: "")
  }
}
