import Foundation
import LaurelPostgres
import Testing

/// Opening a PostgreSQL store where no server listens: a typed error after
/// the URL's deadlines, which says what was waited for and what to change.
/// Needs no server (port 1 on the loopback refuses connections).
@Suite struct PostgresOpeningTests {
  @Test func noServerIsUnreachableWithinTheDeadlineAndSaysWhichSettingsBoundIt() async throws {
    do {
      _ = try await PostgresStore(url: "postgres://laurel@127.0.0.1:1/laurel?connect_timeout=1&statement_timeout=1")
      Issue.record("a store opened where no server listens")
    } catch let error as PostgresStore.OpenError {
      #expect(error.kind == .unreachable)
      #expect(error.description.contains("127.0.0.1:1"), "\(error)")
      #expect(error.description.contains("within 2.0 seconds"), "the URL's 1 + 1 s: \(error)")
      #expect(error.description.contains("raise connect_timeout"), "says which setting to change: \(error)")
    }
  }
}
