import Foundation
@_spi(StoreAdapter) import Laurel
import LaurelReplay
import LaurelReports
import LaurelSQLite
import GRDB
import LaurelTesting
import Synchronization
import Testing

/// Every store passes the same conformance suite; this is the in-memory one.
@Suite struct StoreConformanceTests {
  @Test func inMemoryStorePassesTheConformanceSuite() async throws {
    let failures = await StoreConformance.run { InMemoryStore() }
    #expect(failures.isEmpty, "\(failures)")
  }

  @Test func theSuiteCatchesAStoreThatForgetsActionIDs() async throws {
    let failures = await StoreConformance.run { ForgetfulStore() }
    // It keeps no ids, so a failed batch cannot be told from one never applied either.
    #expect(
      failures.map(\.check) == [
        "a duplicate action id changes nothing", "a transaction that throws keeps nothing of a batch",
        "a store that fails in the middle of a batch keeps nothing of it",
      ])
  }

  @Test func theSuiteCatchesAStoreThatKeepsAFailedTransaction() async throws {
    let failures = await StoreConformance.run { NoRollbackStore() }
    #expect(
      failures.map(\.check) == [
        "a transaction that throws keeps nothing of a batch",
        "a store that fails in the middle of a batch keeps nothing of it",
      ])
  }
}

/// A broken store: changes in place with no journal (what InMemoryStore did), so a throwing body keeps its effects.
final class NoRollbackStore: Store {
  private let state = Mutex(InMemoryState())

  func transaction<R: Sendable>(
    reading footprint: BatchFootprint, _ body: @escaping @Sendable (inout InMemoryState) throws -> R
  ) async throws -> R {
    try state.withLock { try body(&$0) }
  }

  func members() async throws -> [(MemberID, MemberState)] { state.withLock { $0.sortedMembers() } }
  func state(of member: MemberID) async throws -> MemberState? { state.withLock { $0.state(of: member) } }
}

/// A broken store for the test above: it never remembers which actions it applied.
final class ForgetfulStore: Store {
  struct Transaction: StateTransaction {
    var state: InMemoryState
    mutating func claimAction(_ action: PreparedAction) -> Bool { true }
    mutating func releaseAction(_ actionID: String) {}
    func existingMember(_ key: MemberKey) -> Int? { state.existingMember(key) }
    mutating func member(_ key: MemberKey, initial: () -> MemberState) -> Int { state.member(key, initial: initial) }
    mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R { state.withMember(handle, body) }
    mutating func claimOnce(_ handle: Int, rule: Int, key: String) -> Bool {
      state.claimOnce(handle, rule: rule, key: key)
    }
  }

  private let state = Mutex(Transaction(state: InMemoryState()))

  func transaction<R: Sendable>(
    reading footprint: BatchFootprint, _ body: @escaping @Sendable (inout Transaction) throws -> R
  ) async throws -> R {
    try state.withLock { try body(&$0) }
  }

  func members() async throws -> [(MemberID, MemberState)] { state.withLock { $0.state.sortedMembers() } }
  func state(of member: MemberID) async throws -> MemberState? { state.withLock { $0.state.state(of: member) } }
}

/// The SQLite store passes the same suite, in memory and on disk (with reopening).
@Suite struct SQLiteStoreConformanceTests {
  @Test func inMemorySQLitePassesTheConformanceSuite() async throws {
    let failures = await StoreConformance.run { try SQLiteStore(path: ":memory:") }
    #expect(failures.isEmpty, "\(failures)")
  }

  @Test func fileSQLitePassesTheConformanceSuiteIncludingReopening() async throws {
    let temporary = try TemporaryFolder("laurel-sqlite")
    let folder = temporary.url
    let counter = Mutex(0)
    let failures = await StoreConformance.run(reopen: { store in
      try SQLiteStore(path: store.path)
    }) {
      let n = counter.withLock { value in
        value += 1
        return value
      }
      return try SQLiteStore(path: folder.appendingPathComponent("store-\(n).sqlite").path)
    }
    #expect(failures.isEmpty, "\(failures)")
  }

  func temporaryFile() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("laurel-\(UUID().uuidString).sqlite")
  }

  @Test func refusesATextFileAndLeavesItUntouched() throws {
    let file = temporaryFile()
    defer { try? FileManager.default.removeItem(at: file) }
    try "not a database at all, just text".write(to: file, atomically: true, encoding: .utf8)
    #expect(throws: (any Error).self) { try SQLiteStore(path: file.path) }
    #expect(try String(contentsOf: file, encoding: .utf8) == "not a database at all, just text")
  }

  @Test func refusesADatabaseLaurelDidNotCreate() throws {
    let file = temporaryFile()
    defer { try? FileManager.default.removeItem(at: file) }
    let other = try DatabaseQueue(path: file.path)
    try other.write { try $0.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY)") }
    try other.close()
    #expect(throws: SQLiteStore.OpenError.self) { try SQLiteStore(path: file.path) }
    let tables = try DatabaseQueue(path: file.path).read {
      try String.fetchAll($0, sql: "SELECT name FROM sqlite_master")
    }
    #expect(tables == ["invoices"], "the file is left as it was")
  }

  @Test func refusesADatabaseFromANewerLaurel() throws {
    let file = temporaryFile()
    defer { try? FileManager.default.removeItem(at: file) }
    _ = try SQLiteStore(path: file.path)
    let queue = try DatabaseQueue(path: file.path)
    try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-the-future')") }
    try queue.close()
    do {
      _ = try SQLiteStore(path: file.path)
      Issue.record("a database from a newer Laurel was opened")
    } catch let error as SQLiteStore.OpenError {
      #expect(error.description.hasSuffix("was written by a newer version of Laurel; upgrade Laurel to open it"))
    }
  }
}
