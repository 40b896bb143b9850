import ArgumentParser

/// The `laurel` command: check rule files, replay histories, run benchmarks.
@main
struct Laurel: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "laurel",
    abstract: "A gamification rules engine: points, levels, badges and caps from YAML.",
    subcommands: [Validate.self, Simulate.self, Diff.self, Ingest.self, Show.self, Export.self, Schema.self, Bench.self])
}
