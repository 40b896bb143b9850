import Logging
import PostgresNIO

extension PostgresSchema {
  /// Creates or upgrades Laurel's tables, once, however many processes open
  /// the database at the same time (a session advisory lock).
  static func prepare(_ client: PostgresClient, configuration: PostgresConfiguration, logger: Logger) async throws {
    try await client.withConnection { connection in
      if let schema = configuration.schema {
        // The name was checked to be [a-z_][a-z0-9_]*.
        try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)", logger: logger)
      }
      try await connection.query(
        "SELECT pg_advisory_lock(hashtextextended('laurel migrations ' || current_schema(), 0))", logger: logger)
      do {
        try await migrate(connection, configuration: configuration, logger: logger)
        try await connection.query(
          "SELECT pg_advisory_unlock(hashtextextended('laurel migrations ' || current_schema(), 0))", logger: logger)
      } catch {
        _ = try? await connection.query("ROLLBACK", logger: logger)
        _ = try? await connection.query(
          "SELECT pg_advisory_unlock(hashtextextended('laurel migrations ' || current_schema(), 0))", logger: logger)
        throw error
      }
    }
  }

  private static func migrate(
    _ connection: PostgresConnection, configuration: PostgresConfiguration, logger: Logger
  ) async throws {
    var current = 0
    let exists =
      try await connection.query("SELECT to_regclass('laurel_meta') IS NOT NULL", logger: logger)
      .collect().first?.decode(Bool.self) ?? false
    if exists {
      var meta: [String: String] = [:]
      for try await (key, value) in try await connection.query(
        "SELECT key, value FROM laurel_meta", logger: logger
      ).decode((String, String).self) {
        meta[key] = value
      }
      guard meta["format"] == "laurel" else {
        throw PostgresStore.OpenError(
          kind: .notLaurel, description: "\(configuration) has a laurel_meta table that Laurel did not create")
      }
      current = Int(meta["schema_version"] ?? "") ?? 0
    } else if try await connection.query("SELECT to_regclass('members') IS NOT NULL", logger: logger)
      .collect().first?.decode(Bool.self) ?? false
    {
      throw PostgresStore.OpenError(
        kind: .notLaurel,
        description:
          "\(configuration) already has a 'members' table that Laurel did not create; give Laurel a database or a schema of its own (?schema=laurel)"
      )
    }
    guard current <= version else {
      throw PostgresStore.OpenError(
        kind: .newerVersion,
        description:
          "\(configuration) was written by a newer version of Laurel (schema \(current); this one knows up to \(version)); upgrade Laurel"
      )
    }
    for next in current..<version {
      try await connection.query("BEGIN", logger: logger)
      for statement in migrations[next] {
        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
      }
      if next == 0 {
        try await connection.query("INSERT INTO laurel_meta (key, value) VALUES ('format', 'laurel')", logger: logger)
      }
      let number = String(next + 1)
      try await connection.query(
        """
        INSERT INTO laurel_meta (key, value) VALUES ('schema_version', \(number))
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """, logger: logger)
      try await connection.query("COMMIT", logger: logger)
      logger.info("laurel: PostgreSQL schema upgraded", metadata: ["version": "\(next + 1)"])
    }
  }
}
