import Foundation
import Laurel
import Testing

/// `Simulation.forEachLine`, which every replay reads its history with.
@Suite struct LineReaderTests {
  @Test func splitsLinesAcrossChunksWithTheirNumbers() throws {
    // A line straddles the 4 MiB read boundary; CRLF endings, blank and
    // whitespace-only lines are skipped but counted; the last line has no newline.
    let long = String(repeating: "x", count: (4 << 20) - 10)
    let text = "first\r\n\n  \t\n" + long + "\nacross the boundary\r\n\nlast"
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-lines-\(UUID().uuidString).jsonl")
    try text.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    var lines: [(Int, String)] = []
    try Simulation.forEachLine(path: file.path, progress: nil) { number, bytes in
      lines.append((number, String(decoding: bytes, as: UTF8.self)))
    }
    #expect(lines.map(\.0) == [1, 4, 5, 7])
    #expect(lines.map(\.1) == ["first", long, "across the boundary", "last"])
  }
}
