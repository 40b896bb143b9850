import ArgumentParser
import Foundation
import Laurel
import LaurelDiagnostics
import LaurelRules
import LaurelSQLite

/// `laurel ingest --rules PATH --store FILE --events FILE`.
struct Ingest: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Apply a history of actions to a SQLite store, durably, in batches.",
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
    let store = try options.open()
    do {
      let adoption = try store.adopt(
        compiled, files: try Self.ruleFiles(rules), droppingRemovedState: dropRemovedState,
        layoutOfStoredRules: { try StoreOptions.compile($0).stateLayout })
      if let migration = adoption.migration, adoption.migratedMembers > 0 {
        let changes = migration.additions.map { "added \($0)" } + migration.removals.map { "removed \($0)" }
        Output.error(
          "laurel: the rules changed (\(changes.isEmpty ? "rules renumbered" : changes.joined(separator: ", "))): \(adoption.migratedMembers) members carried over by name"
        )
      }
    } catch let error as SQLiteStore.RuleChangeError {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
    let importer = try SQLiteImporter<BatchLines>(engine: Engine(rules: compiled, store: store))
    let reader = BatchPrefetcher(try BatchReader(path: events, rules: compiled, size: max(1, batch)))
    let progress = Progress(
      enabled: isatty(2) == 1,
      total: events == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: events)[.size] as? Int) ?? nil)
    var total = EventCounts()
    var shown = 0
    /// Counts a committed batch and shows its first rejections.
    func report(_ batch: SQLiteImporter<BatchLines>.Completed) {
      var rejections = batch.tag.undecodable
      for (i, outcome) in batch.outcomes.enumerated() {
        if case .rejected(let reason) = outcome.status { rejections.append((batch.tag.lines[i], reason)) }
      }
      for (line, reason) in rejections.sorted(by: { $0.0 < $1.0 }) where shown < 20 {
        Output.error("\(events):\(line): rejected: \(reason)")
        shown += 1
      }
      total += EventCounts(batch.outcomes, undecodable: batch.tag.undecodable.count)
    }
    while let (lines, bytesRead) = try reader.next() {
      var tag = BatchLines()
      var actions: [PreparedAction] = []
      actions.reserveCapacity(lines.count)
      for (line, result) in lines {
        switch result {
        case .success(let action):
          actions.append(action)
          tag.lines.append(line)
        case .failure(let error): tag.undecodable.append((line, error.message))
        }
      }
      for batch in try await importer.submit(actions, undecodable: tag.undecodable.count, tag: tag) { report(batch) }
      progress.update(bytesRead)
    }
    for batch in try await importer.finish() { report(batch) }
    progress.finish()
    if total.rejected > shown { Output.error("... \(total.rejected - shown) more rejected actions") }
    try Output.print(
      "\(total.read) read, \(total.applied) applied, \(total.duplicates) duplicates, \(total.ignored) ignored, \(total.rejected) rejected -> \(options.store)"
    )
    if strict && total.rejected > 0 { throw ExitCode(2) }
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
  var undecodable: [(Int, String)] = []
}

/// Reads and decodes batches on a thread of its own, up to two ahead of the
/// store, so decoding runs on one core while SQLite writes on the other.
final class BatchPrefetcher: @unchecked Sendable {
  typealias Batch = (lines: [(Int, Result<PreparedAction, ActionError>)], bytesRead: Int)

  private let condition = NSCondition()
  // Guarded by `condition`.
  private var ready: [Batch] = []
  private var finished = false
  private var failure: (any Error)?

  init(_ reader: BatchReader, depth: Int = 2) {
    nonisolated(unsafe) var reader = reader
    Thread.detachNewThread { [self] in
      while true {
        let batch: Batch?
        do { batch = try reader.next().map { ($0, reader.bytesRead) } } catch {
          condition.withLock {
            failure = error
            finished = true
            condition.broadcast()
          }
          return
        }
        condition.withLock {
          while ready.count >= depth { condition.wait() }
          if let batch { ready.append(batch) } else { finished = true }
          condition.broadcast()
        }
        if batch == nil { return }
      }
    }
  }

  /// The next batch, or nil at the end of the history.
  func next() throws -> Batch? {
    try condition.withLock {
      while ready.isEmpty && !finished { condition.wait() }
      if !ready.isEmpty {
        condition.broadcast()
        return ready.removeFirst()
      }
      if let failure { throw failure }
      return nil
    }
  }
}

/// Reads a JSONL history in batches of decoded actions (with their line numbers).
struct BatchReader {
  let handle: FileHandle
  let decoder: ActionDecoder
  let size: Int
  private var buffer: [UInt8] = []
  /// Where the unread part of `buffer` begins.
  private var start = 0
  private var line = 0
  private var finished = false
  private(set) var bytesRead = 0

  init(path: String, rules: CompiledRules, size: Int) throws {
    if path == "-" {
      handle = FileHandle.standardInput
    } else {
      guard let h = FileHandle(forReadingAtPath: path) else {
        Output.error("laurel: cannot read \(path)")
        throw ExitCode(1)
      }
      handle = h
    }
    var decoder = ActionDecoder(rules: rules)
    decoder.keepsSource = true
    self.decoder = decoder
    self.size = size
  }

  /// The next batch, or nil at the end of the file.
  mutating func next() throws -> [(Int, Result<PreparedAction, ActionError>)]? {
    var out: [(Int, Result<PreparedAction, ActionError>)] = []
    while out.count < size {
      if let newline = buffer[start...].firstIndex(of: 0x0A) {
        take(start..<newline, into: &out)
        start = newline + 1
        continue
      }
      if finished {
        if start < buffer.count { take(start..<buffer.count, into: &out) }
        start = buffer.count
        break
      }
      // Drop the consumed lines once per chunk, not once per line.
      buffer.removeSubrange(..<start)
      start = 0
      let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
      if chunk.isEmpty {
        finished = true
      } else {
        buffer.append(contentsOf: chunk)
        bytesRead += chunk.count
      }
    }
    return out.isEmpty && finished && start == buffer.count ? nil : out
  }

  private mutating func take(_ range: Range<Int>, into out: inout [(Int, Result<PreparedAction, ActionError>)]) {
    line += 1
    let begin = range.lowerBound
    var stop = range.upperBound
    if stop > begin && buffer[stop - 1] == 0x0D { stop -= 1 }
    guard buffer[begin..<stop].contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
    let decoder = self.decoder
    let result = buffer[begin..<stop].withUnsafeBufferPointer { bytes in
      Result { () throws(ActionError) -> PreparedAction in
        var action = PreparedAction()
        try decoder.decode(bytes, into: &action)
        return action
      }
    }
    out.append((line, result))
  }
}
