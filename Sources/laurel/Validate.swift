import ArgumentParser
import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelDiagnostics
import LaurelRules

/// `laurel validate PATH...`: exit 0 when valid; otherwise one line per problem
/// on stderr (`path:line:column: error: message`) and exit 1.
struct Validate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check rule files and report every problem as path:line:column: error: message.")

  @Argument(help: "Rule files or folders (folders are read for *.yaml and *.yml).")
  var paths: [String]

  @Flag(help: "Show the offending source line and a caret under each problem.")
  var excerpts = false

  func run() throws {
    let loader = RuleLoader()
    let schemes = loader.loadSchemes(paths: paths)
    var failed = false
    for scheme in schemes {
      // Source lines for the excerpts, only when asked for and only of files within the size limit.
      var sources: [String: String] = [:]
      for file in scheme.files where excerpts {
        let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int
        guard let size, size <= loader.maxFileSize else { continue }
        sources[file] = try? String(contentsOfFile: file, encoding: .utf8)
      }
      let renderer = DiagnosticRenderer(sources: sources)
      for diagnostic in scheme.diagnostics {
        Output.error(excerpts ? renderer.render(diagnostic) : diagnostic.description)
      }
      if scheme.rules == nil {
        failed = true
      } else {
        try Output.print("\(scheme.name): ok (\(scheme.files.joined(separator: ", ")))")
      }
    }
    if failed { throw ExitCode(1) }
  }
}
