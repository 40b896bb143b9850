import ArgumentParser
import Foundation
import Laurel
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
    let schemes = RuleLoader().loadSchemes(paths: paths)
    var failed = false
    for scheme in schemes {
      let sources = Dictionary(
        scheme.files.compactMap { file in (try? String(contentsOfFile: file, encoding: .utf8)).map { (file, $0) } },
        uniquingKeysWith: { a, _ in a })
      let renderer = DiagnosticRenderer(sources: sources)
      for diagnostic in scheme.diagnostics {
        Output.error(excerpts ? renderer.render(diagnostic) : diagnostic.description)
      }
      if scheme.rules == nil { failed = true } else {
        print("\(scheme.name): ok (\(scheme.files.joined(separator: ", ")))")
      }
    }
    if failed { throw ExitCode(1) }
  }
}

enum Output {
  static func error(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }

  /// Loads rules, or prints every diagnostic (and `context`, if given) and exits with status 1.
  static func loadRules(_ paths: [String], context: String? = nil) throws -> CompiledRules {
    do { return try RuleLoader().load(paths: paths) } catch {
      for d in error.diagnostics { Output.error(d.description) }
      if let context { Output.error("laurel: \(context)") }
      throw ExitCode(1)
    }
  }
}
