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
  var name = SchemaName(name: "rules")

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
    try Output.print(name.rendered, terminator: "")
  }
}

/// A schema's name as the command line takes it: the parser refuses an
/// unknown one and `--help` lists them.
struct SchemaName: ExpressibleByArgument {
  let name: String

  init(name: String) { self.name = name }

  init?(argument: String) {
    guard Schemas.all.contains(where: { $0.name == argument }) else { return nil }
    name = argument
  }

  /// The schema (only names of `Schemas.all` are ever parsed).
  var rendered: String { (Schemas.all.first { $0.name == name } ?? Schemas.all[0]).schema().rendered() }
  var defaultValueDescription: String { name }
  static var allValueStrings: [String] { Schemas.all.map(\.name) }
}
