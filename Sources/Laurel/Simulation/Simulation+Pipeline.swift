import Foundation

/// Two-stage replay: one thread reads and decodes lines into batches while the
/// caller's thread applies them, so decoding JSON and evaluating rules use both
/// cores. Results are identical to the sequential path: batches are applied
/// strictly in file order, by the same engine calls (ids are claimed as
/// they are applied, so a repeat of a rejected action's id is not a duplicate).
extension Simulation {
  /// Decoded lines, in file order.
  struct DecodedBatch: Sendable {
    var actions: [PreparedAction] = []
    var lines: [Int] = []
    /// The lines that could not be decoded: their index in `actions` (which
    /// holds what was decoded of them, and is skipped) and why.
    var failures: [(index: Int, error: ActionError)] = []

    init(capacity: Int) {
      actions.reserveCapacity(capacity)
      lines.reserveCapacity(capacity)
    }
  }

  /// A bounded hand-off of batches between the decoding and applying threads.
  final class BatchQueue: @unchecked Sendable {
    // Invariant: `batches`, `finished` and `failure` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var batches: [DecodedBatch] = []
    private var finished = false
    private(set) var failure: (any Error)?
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func push(_ batch: DecodedBatch) {
      condition.lock()
      while batches.count >= limit { condition.wait() }
      batches.append(batch)
      condition.broadcast()
      condition.unlock()
    }

    func finish(_ error: (any Error)? = nil) {
      condition.lock()
      finished = true
      failure = error
      condition.broadcast()
      condition.unlock()
    }

    /// The next batch, or nil once the producer finished and everything was taken.
    func pop() -> DecodedBatch? {
      condition.lock()
      defer { condition.unlock() }
      while batches.isEmpty && !finished { condition.wait() }
      guard !batches.isEmpty else { return nil }
      let batch = batches.removeFirst()
      condition.broadcast()
      return batch
    }
  }

  /// Streams a JSONL file through the simulation using a decoding thread,
  /// applying each batch as ``apply(contentsOf:)`` does (in blocks, prefetching).
  public mutating func runInParallel(path: String, progress: (@Sendable (Int) -> Void)? = nil) throws {
    let queue = BatchQueue(limit: 8)
    let decoder = ActionDecoder(rules: rules)
    let batchSize = 4096
    let thread = Thread {
      do {
        var batch = DecodedBatch(capacity: batchSize)
        try Self.forEachLine(path: path, progress: progress) { line, bytes in
          var action = PreparedAction()
          do throws(ActionError) { try decoder.decode(bytes, into: &action) } catch {
            batch.failures.append((batch.actions.count, error))
          }
          batch.actions.append(action)
          batch.lines.append(line)
          if batch.actions.count == batchSize {
            queue.push(batch)
            batch = DecodedBatch(capacity: batchSize)
          }
        }
        if !batch.actions.isEmpty { queue.push(batch) }
        queue.finish()
      } catch {
        queue.finish(error)
      }
    }
    thread.stackSize = 1 << 22
    thread.start()
    startBulk()
    while let batch = queue.pop() {
      batch.actions.withUnsafeBufferPointer { actions in
        batch.lines.withUnsafeBufferPointer { lines in
          apply(blocksOf: actions, lines: lines, failures: batch.failures[...])
        }
      }
    }
    if let failure = queue.failure { throw failure }
  }

  /// Calls `body` with each non-blank line (without its newline) of a file,
  /// `-` for standard input, reading 4 MiB at a time.
  public static func forEachLine(
    path: String, progress: ((Int) -> Void)?, _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void
  ) throws {
    let handle: FileHandle
    if path == "-" {
      handle = FileHandle.standardInput
    } else {
      guard let h = FileHandle(forReadingAtPath: path) else {
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
      }
      handle = h
    }
    defer { if path != "-" { try? handle.close() } }
    var carry: [UInt8] = []
    var line = 0
    var consumed = 0
    func emit(_ all: UnsafeBufferPointer<UInt8>, _ start: Int, _ stop: Int) throws {
      line += 1
      var end = stop
      if end > start && all[end - 1] == 0x0D { end -= 1 }
      var i = start
      while i < end && (all[i] == 0x20 || all[i] == 0x09) { i += 1 }
      if i < end { try body(line, UnsafeBufferPointer(rebasing: all[start..<end])) }
    }
    while true {
      guard let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty else { break }
      var buffer = carry
      buffer.append(contentsOf: chunk)
      let end = buffer.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
      try buffer.withUnsafeBufferPointer { all in
        var start = 0
        while start < end {
          // memchr: a byte loop here took 4% of a replay's decoding thread.
          let newline = memchr(all.baseAddress! + start, 0x0A, end - start)!
          let stop = UnsafeRawPointer(all.baseAddress!).distance(to: newline)
          try emit(all, start, stop)
          start = stop + 1
        }
      }
      carry = Array(buffer[end...])
      consumed += chunk.count
      progress?(consumed)
    }
    if !carry.isEmpty { try carry.withUnsafeBufferPointer { try emit($0, 0, $0.count) } }
  }
}
