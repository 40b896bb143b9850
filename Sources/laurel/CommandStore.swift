import ArgumentParser
import Foundation
import Laurel
import LaurelPostgres
import LaurelSQLite

/// What the commands need of a store beyond the engine's contract: its saved
/// rules, a consistent snapshot, its action log. `--store` names a SQLite
/// file or a `postgres://` URL; both stores answer the same way.
protocol CommandStore: AdminStore {
  /// Records `compiled` as the store's rules, carrying states over by name.
  func adoptRules(
    _ compiled: CompiledRules, files: [(path: String, text: String)], droppingRemovedState: Bool
  ) async throws -> (members: Int, objects: Int, migration: StateMigration?)
  /// The rule files saved by the last adoption.
  func savedRuleFiles() async throws -> [(path: String, text: String)]
  /// Every member and the running counts, read together.
  func snapshot() async throws -> (members: [(MemberID, MemberState)], counts: EventCounts)
  /// The action log after `sequence`: each action's position and JSON.
  func logPage(after sequence: Int64, limit: Int) async throws -> [(sequence: Int64, json: String?)]
  /// Every scope's tier overrides.
  func tierOverridesByScope() async throws -> [String?: TierOverrides]
}

extension SQLiteStore: CommandStore {
  func adoptRules(
    _ compiled: CompiledRules, files: [(path: String, text: String)], droppingRemovedState: Bool
  ) async throws -> (members: Int, objects: Int, migration: StateMigration?) {
    let adoption = try adopt(
      compiled, files: files, droppingRemovedState: droppingRemovedState,
      layoutOfStoredRules: { try StoreOptions.compile($0).stateLayout })
    return (adoption.migratedMembers, adoption.migratedObjects, adoption.migration)
  }

  func savedRuleFiles() async throws -> [(path: String, text: String)] { try ruleFiles() }

  func logPage(after sequence: Int64, limit: Int) async throws -> [(sequence: Int64, json: String?)] {
    try await loggedActions(after: sequence, limit: limit).map { ($0.sequence, $0.json) }
  }
}

extension PostgresStore: CommandStore {
  func adoptRules(
    _ compiled: CompiledRules, files: [(path: String, text: String)], droppingRemovedState: Bool
  ) async throws -> (members: Int, objects: Int, migration: StateMigration?) {
    let adoption = try await adopt(compiled, files: files, droppingRemovedState: droppingRemovedState)
    return (adoption.migratedMembers, adoption.migratedObjects, adoption.migration)
  }

  func savedRuleFiles() async throws -> [(path: String, text: String)] { try await ruleFiles() }

  func logPage(after sequence: Int64, limit: Int) async throws -> [(sequence: Int64, json: String?)] {
    try await loggedActions(after: sequence, limit: limit).map { ($0.sequence, $0.json) }
  }
}

/// An admin or read command, run against whichever store `--store` names.
protocol StoreCommand {
  func run<S: CommandStore>(_ context: AdminContext<S>) async throws
}

extension StoreOptions {
  /// Whether `--store` names a PostgreSQL database rather than a SQLite file.
  var isPostgres: Bool { store.hasPrefix("postgres://") || store.hasPrefix("postgresql://") }

  /// Opens the store `--store` names, or prints why not and exits with status 1.
  func openStore(readOnly: Bool = false) async throws -> any CommandStore {
    guard isPostgres else { return try open(readOnly: readOnly) }
    do { return try await PostgresStore(url: store) } catch {
      Output.error("laurel: cannot open the PostgreSQL store: \(error)")
      throw ExitCode(1)
    }
  }

  /// Opens the store, compiles its rules and runs `command` with them.
  func run(_ command: some StoreCommand, readOnly: Bool) async throws {
    try await run(command, on: try await openStore(readOnly: readOnly))
  }

  private func run<S: CommandStore>(_ command: some StoreCommand, on store: S) async throws {
    try await command.run(AdminContext(engine: Engine(rules: try await rules(of: store), store: store)))
  }

  /// The rules saved in the store by `laurel ingest`.
  func rules(of store: some CommandStore) async throws -> CompiledRules {
    let files = try await store.savedRuleFiles()
    guard !files.isEmpty else {
      Output.error("laurel: \(location) holds no rules yet; run laurel ingest first")
      throw ExitCode(1)
    }
    return try Self.compile(files)
  }

  /// The store as messages name it (a PostgreSQL URL without its password).
  var location: String {
    guard isPostgres else { return store }
    return (try? PostgresConfiguration(url: store).description) ?? "the PostgreSQL store"
  }
}
