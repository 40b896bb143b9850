import Foundation

/// Reads a history of actions, one JSON object per line (JSONL): the one
/// reader behind `simulate`, `diff` and `ingest`.
///
/// Lines end with `\n`; a `\r` before it is dropped (CRLF files), and so is a
/// last line without a newline. Blank lines (spaces and tabs only) are
/// skipped but counted, so line numbers match an editor's. A line may be of
/// any length: the buffer grows to hold it.
public struct HistoryReader {
  /// Why a history cannot be read.
  public struct ReadError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var description: String
  }

  private let handle: FileHandle
  private let closesHandle: Bool
  private let chunkSize: Int
  private var buffer: [UInt8] = []
  /// Where the unread part of `buffer` starts.
  private var start = 0
  private var atEndOfFile = false
  /// The number of the last line read (1-based).
  public private(set) var line = 0
  /// Bytes read from the file so far (for progress).
  public private(set) var bytesRead = 0
  /// The file, `-` for standard input.
  public let path: String

  /// Opens `path` (`-` for standard input), reading `chunkSize` bytes at a time.
  public init(path: String, chunkSize: Int = 4 << 20) throws(ReadError) {
    self.path = path
    self.chunkSize = max(1, chunkSize)
    if path == "-" {
      handle = FileHandle.standardInput
      closesHandle = false
    } else {
      guard let opened = FileHandle(forReadingAtPath: path) else {
        throw ReadError(path: path, description: "cannot read \(path)")
      }
      handle = opened
      closesHandle = true
    }
  }

  /// Closes the file (not standard input).
  public func close() {
    if closesHandle { try? handle.close() }
  }

  /// Calls `body` with the next non-blank lines (line number, bytes without
  /// the line break), while it returns true. Returns false once the file
  /// ends (nothing more to read), true when `body` asked to stop.
  public mutating func read(_ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Bool) throws -> Bool {
    while true {
      var stop = false
      var line = self.line
      defer { self.line = line }
      let from = start
      let consumed = try buffer.withUnsafeBufferPointer { all -> Int in
        var at = from
        while at < all.count, !stop {
          // memchr: a byte loop here took 4% of a replay's decoding thread.
          guard let newline = memchr(all.baseAddress! + at, 0x0A, all.count - at) else { break }
          let end = UnsafeRawPointer(all.baseAddress!).distance(to: newline)
          stop = try !Self.emit(all, at, end, line: &line, body)
          at = end + 1
        }
        return at
      }
      start = consumed
      if stop { return true }
      if atEndOfFile {
        if start < buffer.count {
          let last = start
          start = buffer.count
          let more = try buffer.withUnsafeBufferPointer { try Self.emit($0, last, $0.count, line: &line, body) }
          if !more { return true }
        }
        return false
      }
      self.line = line
      try refill()
    }
  }

  /// Calls `body` with one line if it is not blank; what `body` returns (true when blank).
  private static func emit(
    _ all: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, line: inout Int,
    _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Bool
  ) throws -> Bool {
    line += 1
    var end = to
    if end > from && all[end - 1] == 0x0D { end -= 1 }
    var i = from
    while i < end && (all[i] == 0x20 || all[i] == 0x09) { i += 1 }
    guard i < end else { return true }
    return try body(line, UnsafeBufferPointer(rebasing: all[from..<end]))
  }

  /// Drops what was read and appends the next chunk of the file.
  private mutating func refill() throws {
    if start > 0 {
      buffer.removeSubrange(0..<start)
      start = 0
    }
    let chunk: Data?
    do { chunk = try handle.read(upToCount: chunkSize) } catch {
      throw ReadError(path: path, description: "cannot read \(path): \(error.localizedDescription)")
    }
    guard let chunk, !chunk.isEmpty else {
      atEndOfFile = true
      return
    }
    buffer.append(contentsOf: chunk)
    bytesRead += chunk.count
  }
}
