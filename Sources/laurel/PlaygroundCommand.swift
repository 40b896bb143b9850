import ArgumentParser
import Foundation
import LaurelPlayground

/// `laurel playground`: the local page where product teams edit rules and see, live, what would change.
struct PlaygroundCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "playground",
    abstract: "Open a local web page to edit rules, tune point values and see who would gain or lose what.",
    discussion: """
      Serves on 127.0.0.1 only unless told otherwise and prints the page's URL, which carries a \
      per-launch token every request needs. The page edits the rule files of --rules (a folder or a \
      file in it) and saves only there; histories are the --events files, examples/*.jsonl beside the \
      rules, the action logs of --store files, and uploads. Stop it with Ctrl-C.
      """)

  @Option(help: "The rules folder, or one rule file in it.") var rules: String
  @Option(help: "A history to offer (JSONL); repeatable.") var events: [String] = []
  @Option(help: "A SQLite store whose action log to offer; repeatable.") var store: [String] = []
  @Option(help: "The address to listen on (loopback unless you mean otherwise).") var host = "127.0.0.1"
  @Option(help: "The port (0 picks a free one).") var port = 8787
  @Option(help: "Largest history upload, in MiB.") var maxUploadMb = 256

  func validate() throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port takes 0 to 65535") }
    guard maxUploadMb > 0, maxUploadMb <= 16_384 else { throw ValidationError("--max-upload-mb takes 1 to 16384") }
  }

  func run() async throws {
    var configuration = PlaygroundConfiguration(rules: rules)
    configuration.events = events
    configuration.stores = store
    configuration.host = host
    configuration.port = port
    configuration.maxUploadBytes = maxUploadMb << 20
    let playground: Playground
    do { playground = try Playground(configuration) } catch {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
    if host != "127.0.0.1" && host != "localhost" && host != "::1" {
      Output.error("laurel: warning: listening on \(host); anyone who can reach it and has the URL can edit the rules")
    }
    try await playground.run { url in
      // The URL on stdout (tools read it), a sentence on stderr.
      try? Output.print(url.absoluteString)
      Output.error("laurel: playground for \(rules) at \(url.absoluteString) (Ctrl-C stops it)")
    }
  }
}
