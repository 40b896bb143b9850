import Foundation
import HTTPTypes
import LaurelSQLite

/// The histories the page can replay: the samples it was started with (and
/// `examples/*.jsonl` beside the rules), SQLite stores' action logs, and
/// uploads. Each is a JSONL file on disk; stores and uploads are copied
/// into a private temporary folder, removed by ``removeTemporaryFiles()``.
actor Histories {
  private(set) var all: [HistoryInfo] = []
  /// The file each history replays from (a store's, once exported).
  private var paths: [String: String] = [:]
  /// SQLite stores not exported yet, by history id.
  private var stores: [String: String] = [:]
  private let temporary: URL
  private var uploads = 0

  init(samples: [String], stores: [String], folder: URL) {
    temporary = FileManager.default.temporaryDirectory.appendingPathComponent(
      "laurel-playground-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
    var files = samples.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    let examples = folder.appendingPathComponent("examples")
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? []).sorted()
    where name.hasSuffix(".jsonl") {
      let path = examples.appendingPathComponent(name).standardizedFileURL.path
      if !files.contains(path) { files.append(path) }
    }
    for path in files {
      var info = HistoryInfo(
        id: "sample-\(all.count + 1)", name: URL(fileURLWithPath: path).lastPathComponent, kind: "sample", bytes: 0,
        lines: 0)
      (info.bytes, info.lines) = Self.measure(path)
      all.append(info)
      paths[info.id] = path
    }
    var found: [String: String] = [:]
    for path in stores {
      let id = "store-\(found.count + 1)"
      found[id] = path
      all.append(
        HistoryInfo(id: id, name: URL(fileURLWithPath: path).lastPathComponent, kind: "store", bytes: 0, lines: 0))
    }
    self.stores = found
  }

  private func add(_ info: HistoryInfo, path: String) {
    var info = info
    (info.bytes, info.lines) = Self.measure(path)
    if let i = all.firstIndex(where: { $0.id == info.id }) { all[i] = info } else { all.append(info) }
    paths[info.id] = path
  }

  /// Bytes and non-empty lines of a file (0, 0 when unreadable).
  nonisolated static func measure(_ path: String) -> (Int, Int) {
    guard let handle = FileHandle(forReadingAtPath: path) else { return (0, 0) }
    defer { try? handle.close() }
    var bytes = 0
    var lines = 0
    var last: UInt8 = 0x0a
    while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      bytes += chunk.count
      for byte in chunk {
        if byte == 0x0a && last != 0x0a { lines += 1 }
        last = byte
      }
    }
    if last != 0x0a { lines += 1 }
    return (bytes, lines)
  }

  func info(_ id: String) throws(PlaygroundError) -> HistoryInfo {
    guard let info = all.first(where: { $0.id == id }) else { throw .notFound("no history '\(id)'") }
    return info
  }

  /// The JSONL file of a history, exporting a store's action log on first use.
  func path(of id: String) async throws(PlaygroundError) -> String {
    if let path = paths[id] { return path }
    guard let store = stores[id], let info = all.first(where: { $0.id == id }) else {
      throw .notFound("no history '\(id)'")
    }
    let file = try makeTemporary(named: "\(id).jsonl")
    do {
      try await Self.export(store: store, to: file)
    } catch {
      throw .badRequest("cannot read the action log of \(store): \(error)", code: "STORE")
    }
    add(info, path: file.path)
    return file.path
  }

  /// Copies a SQLite store's action log (opened read-only) into a JSONL file.
  private static func export(store path: String, to file: URL) async throws {
    let store = try SQLiteStore(path: path, options: .init(readOnly: true))
    _ = FileManager.default.createFile(atPath: file.path, contents: nil)
    let handle = try FileHandle(forWritingTo: file)
    defer { try? handle.close() }
    var after: Int64 = 0
    while true {
      let page = try await store.loggedActions(after: after, limit: 10_000)
      guard let last = page.last else { break }
      var chunk = ""
      for action in page { if let json = action.json { chunk += json + "\n" } }
      try handle.write(contentsOf: Data(chunk.utf8))
      after = last.sequence
    }
  }

  /// A new history from an upload's chunks, refused past `limit` bytes.
  func upload(
    named name: String, limit: Int, chunks: sending some AsyncSequence<[UInt8], any Error>
  ) async throws(PlaygroundError) -> HistoryInfo {
    uploads += 1
    let id = "upload-\(uploads)"
    let file = try makeTemporary(named: "\(id).jsonl")
    var bytes = 0
    do {
      _ = FileManager.default.createFile(atPath: file.path, contents: nil)
      let handle = try FileHandle(forWritingTo: file)
      defer { try? handle.close() }
      for try await chunk in chunks {
        bytes += chunk.count
        guard bytes <= limit else {
          throw PlaygroundError(
            status: .contentTooLarge, code: "TOO_LARGE",
            message: "the history is over the upload limit of \(limit) bytes (laurel playground --max-upload-mb)")
        }
        try handle.write(contentsOf: Data(chunk))
      }
    } catch {
      try? FileManager.default.removeItem(at: file)
      if let error = error as? PlaygroundError { throw error }
      throw .badRequest("the upload failed: \(error)")
    }
    let clean = String(name.split(separator: "/").last ?? "upload.jsonl").prefix(100)
    add(HistoryInfo(id: id, name: String(clean), kind: "upload", bytes: 0, lines: 0), path: file.path)
    return try info(id)
  }

  private func makeTemporary(named name: String) throws(PlaygroundError) -> URL {
    do {
      try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    } catch {
      throw PlaygroundError(status: .internalServerError, code: "IO", message: "cannot create \(temporary.path)")
    }
    return temporary.appendingPathComponent(name)
  }

  func removeTemporaryFiles() {
    try? FileManager.default.removeItem(at: temporary)
  }
}
