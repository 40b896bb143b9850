import ArgumentParser
import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelDiagnostics
import LaurelRules

/// `laurel simulate --rules PATH --events FILE [--format json|table]`.
struct Simulate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Replay a history of actions (JSONL) in memory and report every member's final state.")

  @Option(help: "Rule file or folder of one scheme.")
  var rules: String

  @Option(help: "History of actions, one JSON object per line ('-' reads standard input).")
  var events: String

  @Option(help: "Report format: json or table.")
  var format: ReportFormat = .table

  @Option(help: "How many members the table shows.")
  var limit = 50

  @Flag(help: "Exit with status 2 (after the report) when any action was rejected.")
  var strict = false

  enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case json
    case table
  }

  func run() throws {
    let compiled = try Output.loadRules([rules])
    try Output.checkReadableFile(events)
    var simulation = Simulation(rules: compiled)
    let progress = Progress(enabled: isatty(2) == 1, total: fileSize(events))
    do {
      try simulation.run(path: events, progress: progress.update)
    } catch {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
    progress.finish()
    for rejection in simulation.rejections.prefix(20) {
      Output.error("\(events):\(rejection.line): rejected: \(rejection.error)")
    }
    if simulation.counts.rejected > 20 {
      Output.error("... \(simulation.counts.rejected - 20) more rejected actions")
    }
    let report = simulation.report()
    switch format {
    case .json: try Output.print(report.json(), terminator: "")
    case .table: try Output.print(report.table(maxMembers: limit), terminator: "")
    }
    if strict && simulation.counts.rejected > 0 { throw ExitCode(2) }
  }

  private func fileSize(_ path: String) -> Int? {
    path == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
  }
}

/// A one-line progress indicator on stderr, only when stderr is a terminal.
///
/// `@unchecked Sendable`: `update` is called from the one thread that reads
/// the file, and `finish` only after that thread is done.
final class Progress: @unchecked Sendable {
  let enabled: Bool
  let total: Int?
  private var last = Date.distantPast

  init(enabled: Bool, total: Int?) {
    self.enabled = enabled
    self.total = total
  }

  func update(_ bytes: Int) {
    guard enabled, Date().timeIntervalSince(last) > 0.2 else { return }
    last = Date()
    let text = total.map { "\(bytes * 100 / max($0, 1))% of \($0 >> 20) MiB" } ?? "\(bytes >> 20) MiB"
    Output.error("\rreplaying… \(text)   ", terminator: "")
  }

  func finish() {
    if enabled { Output.error("\r\u{1B}[K", terminator: "") }
  }
}
