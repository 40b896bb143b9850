import Foundation
import GRDB
import Laurel
import LaurelReplay
import LaurelReports
@testable import LaurelSQLite
import Testing

/// A store shared with other processes: created by two at once, kept busy
/// by a stalled writer, read while written, read from a folder that cannot
/// be written, and foreign files left exactly as they were.
@Suite struct SQLiteStoreSharingTests {
  let folder: URL
  /// Removed with the suite instance, after each test.
  let temporary: TemporaryFolder
  let rules = try! Scenario("community-points.yaml").rules

  init() throws {
    temporary = try TemporaryFolder("laurel-sharing")
    folder = temporary.url
  }

  func file(_ name: String) -> String { folder.appendingPathComponent(name).path }

  func like(_ id: String) -> String {
    #"{"id":"\#(id)","type":"post_liked","at":"2026-03-01T10:00:00Z","community":"c1","user":"x","author":"ann"}"#
  }

  @Test func twoOpenersOfOneNewFileBothSucceed() async throws {
    // Each opener has connections of its own, as a process does; the schema race failed ~1 in 5 before.
    for attempt in 0..<25 {
      let path = file("new-\(attempt).sqlite")
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<2 { group.addTask { _ = try SQLiteStore(path: path) } }
        try await group.waitForAll()
      }
    }
  }

  @Test func aStalledWriterGivesATypedBusyErrorThatSaysWhatToDo() async throws {
    let path = file("busy.sqlite")
    let store = try SQLiteStore(path: path, options: .init(busyTimeout: 0.2))
    // Another connection takes the write lock and keeps it until released.
    let other = try DatabaseQueue(path: path)
    let held = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
      try? other.inDatabase { db in
        try db.execute(sql: "BEGIN IMMEDIATE")
        held.signal()
        release.wait()
        try db.execute(sql: "ROLLBACK")
      }
    }
    held.wait()
    defer { release.signal() }
    do {
      _ = try await Engine(rules: rules, store: store).apply(json: like("b1"))
      Issue.record("the write went through a held lock")
    } catch let error as SQLiteStore.WriteError {
      #expect(error.kind == .busy)
      #expect(
        error.description.hasSuffix(
          "the store is busy: another process held its write lock for longer than the busy timeout; try again once it is done, or give a longer --busy-timeout"
        ))
    }
  }

  @Test func aSnapshotReadsMembersAndCountsOfOneMoment() async throws {
    let path = file("snapshot.sqlite")
    let store = try SQLiteStore(path: path)
    let importer = try SQLiteImporter<Int>(engine: Engine(rules: rules, store: store))
    let decoder = ActionDecoder(rules: rules)
    let reader = try SQLiteStore(path: path, options: .init(readOnly: true))
    for batch in 0..<20 {
      _ = try await importer.submit([try decoder.decode(like("s\(batch)"))], tag: batch)
      let (members, counts) = try await reader.snapshot()
      #expect(Int(members.first?.1.balances[0] ?? 0) == counts.applied, "after batch \(batch)")
    }
  }

  @Test func aForeignDatabaseIsRefusedAndLeftByteForByte() throws {
    let path = file("foreign.sqlite")
    try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE notes (text TEXT)") }
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(throws: SQLiteStore.OpenError.self) { try SQLiteStore(path: path) }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "not switched to WAL, no schema counter bumped")
    #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
  }

  @Test(.enabled(if: ReadOnlyFile.canBeMade, "this machine cannot make a file read-only for its user"))
  func aStoreInAFolderThatCannotBeWrittenCanStillBeRead() async throws {
    let inner = folder.appendingPathComponent("locked")
    try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
    let path = inner.appendingPathComponent("store.sqlite").path
    do {
      let store = try SQLiteStore(path: path)
      _ = try await Engine(rules: rules, store: store).apply(json: like("r1"))
      try store.checkpoint()
    }
    try? FileManager.default.removeItem(atPath: path + "-wal")
    try? FileManager.default.removeItem(atPath: path + "-shm")
    try ReadOnlyFile.make(path)
    try ReadOnlyFile.make(inner.path)
    defer {
      ReadOnlyFile.undo(inner.path)
      ReadOnlyFile.undo(path)
    }
    let reader = try SQLiteStore(path: path, options: .init(readOnly: true))
    #expect(try await reader.snapshot().members.map(\.0) == [MemberID(scope: "c1", user: "ann")])
    #expect(throws: SQLiteStore.OpenError.self) { try SQLiteStore(path: path) }
  }

  @Test(.enabled(if: ReadOnlyFile.canBeMade, "this machine cannot make a file read-only for its user"))
  func aLockedFolderWhoseLogHoldsCommitsIsRefusedNotReadStale() async throws {
    let inner = folder.appendingPathComponent("locked-wal")
    try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
    let path = inner.appendingPathComponent("store.sqlite").path
    let source = file("source.sqlite")
    let store = try SQLiteStore(path: source)
    _ = try await Engine(rules: rules, store: store).apply(json: like("w1"))
    // Copied while open: the last commit is only in the log.
    try FileManager.default.copyItem(atPath: source, toPath: path)
    try FileManager.default.copyItem(atPath: source + "-wal", toPath: path + "-wal")
    try ReadOnlyFile.make(inner.path)
    defer { ReadOnlyFile.undo(inner.path) }
    do {
      _ = try SQLiteStore(path: path, options: .init(readOnly: true))
      Issue.record("a store was read without its write-ahead log")
    } catch let error as SQLiteStore.OpenError {
      #expect(
        error.description.hasSuffix(
          "has commits in its write-ahead log that only a writable folder lets SQLite read; open it once where its folder can be written"
        ))
    }
  }
}
