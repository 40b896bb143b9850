import Foundation
import Laurel
import LaurelReplay
import Testing

/// `HistoryReader`, which `simulate`, `diff` and `ingest` read histories with,
/// and `ReadAhead`, which runs it on a thread of its own.
@Suite struct HistoryReaderTests {
  let temporary: TemporaryFolder
  var folder: URL { temporary.url }

  init() throws { temporary = try TemporaryFolder("laurel-history") }

  func file(_ text: String) throws -> String {
    let file = folder.appendingPathComponent("\(UUID().uuidString).jsonl")
    try text.write(to: file, atomically: true, encoding: .utf8)
    return file.path
  }

  func lines(of path: String, chunkSize: Int = 4 << 20) throws -> [(Int, String)] {
    var reader = try HistoryReader(path: path, chunkSize: chunkSize)
    var lines: [(Int, String)] = []
    let stopped = try reader.read { number, bytes in
      lines.append((number, String(decoding: bytes, as: UTF8.self)))
      return true
    }
    #expect(!stopped, "read to the end")
    return lines
  }

  @Test func splitsLinesAcrossChunksWithTheirNumbers() throws {
    // A line straddles the 4 MiB read boundary; CRLF endings, blank and
    // whitespace-only lines are skipped but counted; the last line has no newline.
    let long = String(repeating: "x", count: (4 << 20) - 10)
    let text = "first\r\n\n  \t\n" + long + "\nacross the boundary\r\n\nlast"
    let lines = try lines(of: try file(text))
    #expect(lines.map(\.0) == [1, 4, 5, 7])
    #expect(lines.map(\.1) == ["first", long, "across the boundary", "last"])
  }

  @Test func readsLinesLongerThanManyChunks() throws {
    let long = String(repeating: "y", count: 10_000)
    let lines = try lines(of: try file("a\n" + long + "\r\nb\n"), chunkSize: 7)
    #expect(lines.map(\.1) == ["a", long, "b"])
    #expect(lines.map(\.0) == [1, 2, 3])
  }

  @Test func stopsWhereAskedAndGoesOn() throws {
    var reader = try HistoryReader(path: try file("1\n2\n3\n4\n5"), chunkSize: 3)
    var first: [Int] = []
    #expect(
      try reader.read { n, _ in
        first.append(n); return first.count < 2
      })
    var rest: [Int] = []
    #expect(
      try !reader.read { n, _ in
        rest.append(n); return true
      })
    #expect(first == [1, 2] && rest == [3, 4, 5])
  }

  @Test func aMissingFileIsAnError() throws {
    #expect(throws: HistoryReader.ReadError.self) {
      try HistoryReader(path: folder.appendingPathComponent("none").path)
    }
  }

  @Test func decodesBatchesWithFailuresInPlace() throws {
    let rules = try Scenario("community-points.yaml").rules
    let good = #"{"id":"a","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"u","community":"c","author":"v"}"#
    var batches = try HistoryBatches(path: try file(good + "\n{oops\n\n" + good), rules: rules, size: 2)
    let first = try #require(try batches.next())
    #expect(first.lines == [1, 2])
    #expect(first.failures.map(\.index) == [1])
    #expect(first.failures.first?.error.kind == .invalidJSON)
    #expect(first.decoded.lines == [1])
    let second = try #require(try batches.next())
    #expect(second.lines == [4] && second.failures.isEmpty)
    #expect(try batches.next() == nil)
  }

  @Test func readAheadHandsOverEveryValueInOrderThenTheError() throws {
    struct Boom: Error {}
    var n = 0
    let ahead = ReadAhead(depth: 2) { () throws -> Int? in
      n += 1
      if n == 100 { throw Boom() }
      return n
    }
    var seen: [Int] = []
    #expect(throws: Boom.self) { while let v = try ahead.next() { seen.append(v) } }
    #expect(seen == Array(1...99))
  }
}
