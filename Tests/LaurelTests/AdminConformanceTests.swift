import Foundation
import Laurel
import LaurelSQLite
import LaurelTesting
import Synchronization
import Testing

/// Both stores pass the same administration and read-model suite.
@Suite struct AdminConformanceTests {
  @Test func inMemoryStorePassesTheAdminSuite() async throws {
    let failures = await AdminConformance.run { InMemoryStore() }
    #expect(failures.isEmpty, "\(failures)")
  }

  @Test func sqliteInMemoryPassesTheAdminSuite() async throws {
    let failures = await AdminConformance.run { try SQLiteStore(path: ":memory:") }
    #expect(failures.isEmpty, "\(failures)")
  }

  @Test func sqliteFilePassesTheAdminSuite() async throws {
    let temporary = try TemporaryFolder("laurel-admin")
    let counter = Mutex(0)
    let failures = await AdminConformance.run {
      let n = counter.withLock { value in
        value += 1
        return value
      }
      return try SQLiteStore(path: temporary.url.appendingPathComponent("admin-\(n).sqlite").path)
    }
    #expect(failures.isEmpty, "\(failures)")
  }
}
