import Foundation
public import Laurel

/// Replaying files: a second thread reads and decodes lines into batches
/// (``ReadAhead`` of ``HistoryBatches``) while the caller's thread applies
/// them, so decoding JSON and evaluating rules use both cores. Results are
/// identical to the sequential path: batches are applied strictly in file
/// order, by the same engine calls (ids are claimed as they are applied, so
/// a repeat of a rejected action's id is not a duplicate).
extension Simulation {
  /// Streams a JSONL file (`-` for standard input) through the simulation.
  /// Blank lines are skipped. `progress` is called with the bytes read so far.
  /// With `parallel` (the default on machines with several cores) a second
  /// thread decodes while this one applies; the result is the same.
  public mutating func run(path: String, parallel: Bool? = nil, progress: (@Sendable (Int) -> Void)? = nil) throws {
    if path != "-", let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int {
      // About 100 bytes per action line: room for the ids without growing the table mid-run.
      reserve(actions: size / 100)
    }
    if parallel ?? (ProcessInfo.processInfo.activeProcessorCount > 1) {
      try runInParallel(path: path, progress: progress)
      return
    }
    var reader = try HistoryReader(path: path)
    defer { reader.close() }
    var more = true
    while more {
      // Progress every 64k lines.
      var lines = 0
      more = try reader.read { line, bytes in
        apply(jsonLine: bytes, line: line)
        lines += 1
        return lines < 65_536
      }
      progress?(reader.bytesRead)
    }
  }

  /// Streams a JSONL file through the simulation using a decoding thread,
  /// applying each batch as ``apply(contentsOf:)`` does (in blocks, prefetching).
  public mutating func runInParallel(path: String, progress: (@Sendable (Int) -> Void)? = nil) throws {
    var batches = try HistoryBatches(path: path, rules: rules, size: 4096)
    let readAhead = ReadAhead(depth: 8) { () throws -> DecodedBatch? in
      guard let batch = try batches.next() else { return nil }
      progress?(batch.bytesRead)
      return batch
    }
    startBulk()
    while let batch = try readAhead.next() {
      batch.actions.withUnsafeBufferPointer { actions in
        batch.lines.withUnsafeBufferPointer { lines in
          apply(blocksOf: actions, lines: lines, failures: batch.failures[...])
        }
      }
    }
  }
}
