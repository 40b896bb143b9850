import ArgumentParser
import Foundation
import Laurel
import LaurelReports
import LaurelPostgres
import LaurelSQLite

/// `laurel rebuild --store FILE --rules PATH [--dry-run [--format table|json|html]]`.
struct RebuildCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rebuild",
    abstract: "Replay a store's action log under new rules and replace its balances, tiers, badges and ledger.",
    discussion: """
      The replacement is one transaction: readers see the old state until it commits. Tier overrides \
      apply during the replay; manual badge grants are given back. --dry-run changes nothing and prints \
      what would change: the report of laurel diff of the store's rules against --rules over the \
      store's action log.
      """)

  @OptionGroup var options: StoreOptions
  @Option(help: "The new rules (a file or folder).") var rules: String
  @Flag(help: "Print what would change; change nothing.") var dryRun = false
  @Option(help: "The dry run's format: table (default), json or html.") var format: Diff.Format = .table
  @Option(help: "How many changed members the dry run's table lists.") var limit = 30

  func run() async throws {
    let new = try Output.loadRules([rules], context: "the rules given by \(rules) are not valid")
    let store = try await options.openStore(readOnly: dryRun)
    let old = try await options.rules(of: store)
    if dryRun {
      try await printDryRun(store, old: old, new: new)
      return
    }
    let files = try Ingest.ruleFiles(rules)
    let summary: (version: Int64, replayed: Int, applied: Int, ignored: Int, rejected: Int, members: Int, grants: Int)
    do {
      if let sqlite = store as? SQLiteStore {
        let r = try sqlite.rebuild(new, files: files)
        summary = (r.version, r.replayed, r.applied, r.ignored, r.rejected, r.members, r.grants)
      } else if let postgres = store as? PostgresStore {
        let r = try await postgres.rebuild(new, files: files)
        summary = (r.version, r.replayed, r.applied, r.ignored, r.rejected, r.members, r.grants)
      } else {
        Output.error("laurel: this store cannot be rebuilt")
        throw ExitCode(1)
      }
    } catch let error as ExitCode {
      throw error
    } catch {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
    Output.error(
      "laurel: rebuilt \(options.location) under rules version \(summary.version): \(summary.replayed) actions replayed "
        + "(\(summary.applied) applied, \(summary.ignored) ignored, \(summary.rejected) rejected), "
        + "\(summary.members) members, \(summary.grants) grants restored")
  }

  /// The store's log as a JSONL file, compared under both rules exactly as `laurel diff` does.
  private func printDryRun(_ store: some CommandStore, old: CompiledRules, new: CompiledRules) async throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "laurel-rebuild-\(UUID().uuidString).jsonl")
    defer { try? FileManager.default.removeItem(at: file) }
    _ = FileManager.default.createFile(atPath: file.path, contents: nil)
    let handle = try FileHandle(forWritingTo: file)
    var after: Int64 = 0
    while true {
      let page = try await store.logPage(after: after, limit: 10_000)
      guard let last = page.last else { break }
      after = last.sequence
      var chunk = ""
      for action in page {
        guard let json = action.json else {
          Output.error(
            "laurel: \(options.location) logged actions before Laurel kept their bodies; the log cannot be replayed")
          throw ExitCode(1)
        }
        chunk += json + "\n"
      }
      try handle.write(contentsOf: Data(chunk.utf8))
    }
    try handle.close()
    var analysis = RuleChangeAnalysis(from: old, to: new)
    analysis.tierOverrides = try await store.tierOverridesByScope()
    var report: DiffReport
    do { report = try analysis.run(path: file.path) } catch {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
    report.sources = ("store \(options.location)", rules)
    switch format {
    case .table: try Output.print(report.table(maxMembers: limit), terminator: "")
    case .json: try Output.print(report.json(), terminator: "")
    case .html: try Output.print(report.html(), terminator: "")
    }
  }
}
