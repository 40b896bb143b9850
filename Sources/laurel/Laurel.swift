import ArgumentParser
import Foundation

/// The `laurel` command: check rule files, replay histories, run benchmarks.
@main
struct Laurel: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "laurel",
    abstract: "A gamification rules engine: points, levels, badges and caps from YAML.",
    subcommands: [
      Validate.self, Simulate.self, Diff.self, Ingest.self, Show.self, Export.self, RebuildCommand.self,
      ProfileCommand.self, Levels.self,
      LeaderboardCommand.self, Gate.self, Admin.self, Serve.self, PlaygroundCommand.self, Token.self, Schema.self,
      Bench.self,
    ])

  static func main() async {
    Output.claimStandardDescriptors()
    do {
      var command = try parseAsRoot()
      if var command = command as? any AsyncParsableCommand { try await command.run() } else { try command.run() }
    } catch {
      exit(withError: error)
    }
  }
}
