import Foundation

/// Two-stage replay: one thread reads and decodes lines into batches while the
/// caller's thread applies them, so decoding JSON and evaluating rules use both
/// cores. Results are identical to the sequential path: batches are applied
/// strictly in file order.
extension Simulation {
  /// One decoded line: the action, or why it could not be decoded.
  struct DecodedLine: Sendable {
    var line: Int
    var action: PreparedAction
    var error: ActionError?
    /// Whether no earlier line (nor an earlier run) claimed this id.
    var firstSeen = true
  }

  /// A bounded hand-off of batches between the decoding and applying threads.
  final class BatchQueue: @unchecked Sendable {
    // Invariant: `batches`, `finished` and `failure` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var batches: [[DecodedLine]] = []
    private var finished = false
    private(set) var failure: (any Error)?
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func push(_ batch: [DecodedLine]) {
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
    func pop() -> [DecodedLine]? {
      condition.lock()
      defer { condition.unlock() }
      while batches.isEmpty && !finished { condition.wait() }
      guard !batches.isEmpty else { return nil }
      let batch = batches.removeFirst()
      condition.broadcast()
      return batch
    }
  }

  /// The decoding thread's copy of the id set, handed back after the run.
  final class IDTable: @unchecked Sendable {
    // Invariant: only the decoding thread touches `ids` while it runs; the
    // applying thread reads it after `queue.pop()` returned nil (the thread is done).
    var ids: ActionIDSet
    init(_ ids: ActionIDSet) { self.ids = ids }
  }

  /// Streams a JSONL file through the simulation using a decoding thread.
  ///
  /// The decoding thread also owns the exact set of action ids: it marks each
  /// line as the first use of its id or a repeat. A repeat is a duplicate unless
  /// every earlier use was rejected (rejected actions change nothing, their id
  /// included), which the applying thread tracks in `rejectedIDs`.
  public mutating func runInParallel(path: String, progress: (@Sendable (Int) -> Void)? = nil) throws {
    let queue = BatchQueue(limit: 8)
    let decoder = ActionDecoder(rules: rules)
    let table = IDTable(state.processedIDs)
    state.processedIDs = ActionIDSet()  // the decoding thread owns the ids until the run ends
    let thread = Thread {
      do {
        var batch: [DecodedLine] = []
        batch.reserveCapacity(4096)
        var unclaimed = 0  // the first line of `batch` whose id is not looked up yet
        /// Looks up the ids of the lines decoded since the last call, 16 at a
        /// time: their table slots are prefetched together first, so the cache misses overlap.
        func claimIDs() {
          for i in unclaimed..<batch.count where batch[i].error == nil { table.ids.touch(hash: batch[i].action.idHash) }
          for i in unclaimed..<batch.count where batch[i].error == nil {
            batch[i].firstSeen = table.ids.insert(batch[i].action.id, hash: batch[i].action.idHash)
          }
          unclaimed = batch.count
        }
        try Self.forEachLine(path: path, progress: progress) { line, bytes in
          var decoded = DecodedLine(line: line, action: PreparedAction())
          do throws(ActionError) { try decoder.decode(bytes, into: &decoded.action) } catch { decoded.error = error }
          batch.append(decoded)
          if batch.count - unclaimed == 16 { claimIDs() }
          if batch.count == 4096 {
            queue.push(batch)
            batch = []
            batch.reserveCapacity(4096)
            unclaimed = 0
          }
        }
        claimIDs()
        if !batch.isEmpty { queue.push(batch) }
        queue.finish()
      } catch {
        queue.finish(error)
      }
    }
    thread.stackSize = 1 << 22
    thread.start()
    var rejectedIDs = Set<String>()
    startBulk()
    while let batch = queue.pop() {
      for decoded in batch {
        if let error = decoded.error {
          countRejectedLine(decoded.line, error.message)
        } else if !decoded.firstSeen && !rejectedIDs.contains(decoded.action.id) {
          countDuplicate()
        } else {
          apply(decoded.action, line: decoded.line, idClaimed: true)
          if case .rejected = lastStatus {
            rejectedIDs.insert(decoded.action.id)
          } else if !decoded.firstSeen {
            rejectedIDs.remove(decoded.action.id)
          }
        }
      }
    }
    for id in rejectedIDs { table.ids.remove(id) }
    state.processedIDs = table.ids
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
      let chunk = handle.readData(ofLength: 4 << 20)
      if chunk.isEmpty { break }
      var buffer = carry
      buffer.append(contentsOf: chunk)
      let end = buffer.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
      try buffer.withUnsafeBufferPointer { all in
        var start = 0
        while start < end {
          var stop = start
          while all[stop] != 0x0A { stop += 1 }
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
