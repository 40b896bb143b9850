import Foundation
@_spi(StoreAdapter) import Laurel
import LaurelPostgres
import LaurelTesting
import Testing

/// The PostgreSQL store passes the suites the in-memory and SQLite stores
/// pass, against a real server (see ``TestPostgres``), each check in a schema of its own.
@Suite struct PostgresConformanceTests {
  @Test func postgresPassesTheStoreSuite() async throws {
    guard try await TestPostgres.shared() != nil else { return }
    let failures = await StoreConformance.run(reopen: { store in
      let url = store.configuration.description
      await store.close()
      return try await PostgresStore(url: url + "?sslmode=disable&schema=\(store.configuration.schema ?? "")")
    }) {
      try await PostgresStore(url: try await TestPostgres.freshStoreURL()!)
    }
    #expect(failures.isEmpty, "\(failures)")
  }

  @Test func postgresPassesTheAdminSuite() async throws {
    guard try await TestPostgres.shared() != nil else { return }
    let failures = await AdminConformance.run { try await PostgresStore(url: try await TestPostgres.freshStoreURL()!) }
    #expect(failures.isEmpty, "\(failures)")
  }
}
