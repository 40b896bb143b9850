import ArgumentParser
import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelDiagnostics
import LaurelRules

/// `laurel diff --from A --to B --events FILE [--format table|json|html]`.
struct Diff: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Replay a history under two versions of the rules and show who would gain or lose what, and why.",
    discussion: """
      --from and --to are rule files or folders. --from git:REV compares against the version of the \
      --to path committed at REV (e.g. git:HEAD, git:main) without a checkout; git:REV:PATH names \
      another path.
      """)

  @Option(help: "The current rules (a path, or git:REV for the committed version of --to).")
  var from: String

  @Option(help: "The proposed rules.")
  var to: String

  @Option(help: "History of actions, one JSON object per line.")
  var events: String

  @Option(help: "table (default), json or html.")
  var format: Format = .table

  @Option(help: "How many changed members the table lists.")
  var limit = 30

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
    case html
  }

  func run() throws {
    let committed: [(path: String, text: String)]?
    do { committed = try GitRules.sources(from, default: to) } catch {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
    let context = "the rules given by \(from) are not valid"
    let old =
      try committed.map { try Output.loadRules(sources: $0, context: context) }
      ?? Output.loadRules([from], context: context)
    let new = try Output.loadRules([to], context: "the rules given by \(to) are not valid")
    try Output.checkReadableFile(events)
    let size = (try? FileManager.default.attributesOfItem(atPath: events)[.size] as? Int) ?? nil
    let progress = Progress(enabled: isatty(2) == 1, total: size)
    var report: DiffReport
    do {
      report = try RuleChangeAnalysis(from: old, to: new).run(path: events, progress: progress.update)
      report.sources = (from, to)
    } catch {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
    progress.finish()
    switch format {
    case .table: try Output.print(report.table(maxMembers: limit), terminator: "")
    case .json: try Output.print(report.json(), terminator: "")
    case .html: try Output.print(report.html(), terminator: "")
    }
  }
}
