import ArgumentParser
import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelDiagnostics
import LaurelRules
import LaurelPostgres
import LaurelSQLite

/// `laurel ingest --rules PATH --store FILE --events FILE`.
struct Ingest: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Apply a history of actions to a store (SQLite file or PostgreSQL), durably, in batches.",
    discussion: """
      Each batch of actions is one transaction: a crash loses at most the batch in flight, and \
      running the same ingest again skips every action already applied (ids are recorded).
      """)

  @Option(help: "Rule file or folder of one scheme.") var rules: String
  @OptionGroup var options: StoreOptions
  @Option(help: "History of actions, one JSON object per line ('-' reads standard input).") var events: String
  @Option(help: "Actions per transaction (1 commits every action on its own).") var batch = 50_000
  @Flag(help: "Exit with status 2 when any action was rejected (they are never applied either way).")
  var strict = false
  @Flag(
    help:
      "Accept rules that no longer declare a currency, ladder, counter, trait, progress, streak or badge the store holds state for, and delete that state."
  )
  var dropRemovedState = false

  func run() async throws {
    let compiled = try Output.loadRules([rules])
    // Checked before the store is opened, so a mistyped path creates no store.
    try Output.checkReadableFile(events)
    let store = try await options.openStore()
    try await Self.adopt(compiled, rules: rules, into: store, droppingRemovedState: dropRemovedState)
    var batches = try HistoryBatches(path: events, rules: compiled, size: max(1, batch), keepsSource: true)
    // Reads and decodes up to two batches ahead, so decoding runs on one core while the store writes on the other.
    let reader = ReadAhead(depth: 2) { try batches.next() }
    let progress = Progress(
      enabled: isatty(2) == 1,
      total: events == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: events)[.size] as? Int) ?? nil)
    var total = EventCounts()
    var shown = 0
    /// Counts a committed batch and shows its first rejections.
    func report(_ outcomes: [Outcome], _ tag: BatchLines) {
      var rejections = tag.undecodable
      for (i, outcome) in outcomes.enumerated() {
        if case .rejected(let error) = outcome.status { rejections.append((tag.lines[i], error)) }
      }
      for (line, error) in rejections.sorted(by: { $0.0 < $1.0 }) where shown < 20 {
        Output.error("\(events):\(line): rejected: \(error)")
        shown += 1
      }
      total += EventCounts(outcomes, undecodable: tag.undecodable.count)
    }
    let importer = try (store as? SQLiteStore).map {
      try SQLiteImporter<BatchLines>(engine: Engine(rules: compiled, store: $0))
    }
    let postgres = (store as? PostgresStore).map { Engine(rules: compiled, store: $0) }
    while let decoded = try reader.next() {
      let (actions, lines) = decoded.decoded
      let tag = BatchLines(
        lines: lines, undecodable: decoded.failures.map { (decoded.lines[$0.index], $0.error) })
      if let importer {
        for batch in try await importer.submit(actions, undecodable: tag.undecodable.count, tag: tag) {
          report(batch.outcomes, batch.tag)
        }
      } else if let postgres {
        // One read and one write statement per batch; the counts commit with it.
        let undecodable = tag.undecodable.count
        let outcomes = try await Self.failing(options) {
          try await postgres.applyBatch(actions) { tx, outcomes in
            tx.add(EventCounts(outcomes, undecodable: undecodable))
          }
        }
        report(outcomes, tag)
      }
      progress.update(decoded.bytesRead)
    }
    if let importer { for batch in try await importer.finish() { report(batch.outcomes, batch.tag) } }
    progress.finish()
    if total.rejected > shown { Output.error("... \(total.rejected - shown) more rejected actions") }
    try Output.print(
      "\(total.read) read, \(total.applied) applied, \(total.duplicates) duplicates, \(total.ignored) ignored, \(total.rejected) rejected -> \(options.location)"
    )
    if strict && total.rejected > 0 { throw ExitCode(2) }
  }

  /// Runs a store call; a store that cannot write prints why and exits with status 1.
  static func failing<T>(_ options: StoreOptions, _ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as PostgresStore.WriteError {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
  }

  /// Records `compiled` (from the files at `rules`) as the store's rules,
  /// carrying member states over by name; refusals print and exit 1.
  static func adopt(
    _ compiled: CompiledRules, rules: String, into store: some CommandStore, droppingRemovedState: Bool
  ) async throws {
    do {
      let (members, objects, migration) = try await store.adoptRules(
        compiled, files: try ruleFiles(rules), droppingRemovedState: droppingRemovedState)
      if let migration, members + objects > 0 {
        let changes = migration.additions.map { "added \($0)" } + migration.removals.map { "removed \($0)" }
        Output.error(
          "laurel: the rules changed (\(changes.isEmpty ? "rules renumbered" : changes.joined(separator: ", "))): \(members) members\(objects > 0 ? " and \(objects) objects" : "") carried over by name"
        )
      }
    } catch let error as SQLiteStore.RuleChangeError {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    } catch let error as PostgresStore.RuleChangeError {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    } catch let error as PostgresStore.WriteError {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
  }

  static func ruleFiles(_ path: String) throws -> [(path: String, text: String)] {
    var isDirectory: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    let files =
      isDirectory.boolValue
      ? try FileManager.default.contentsOfDirectory(atPath: path).filter {
        $0.hasSuffix(".yaml") || $0.hasSuffix(".yml")
      }
      .sorted().map { (path as NSString).appendingPathComponent($0) }
      : [path]
    return try files.map { ($0, try String(contentsOfFile: $0, encoding: .utf8)) }
  }
}

/// Where a batch's actions came from: the line of each decoded action, and
/// the lines that could not be decoded, with the reason.
struct BatchLines: Sendable {
  var lines: [Int] = []
  var undecodable: [(Int, ActionError)] = []
}
