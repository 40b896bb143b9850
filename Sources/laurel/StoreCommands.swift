import ArgumentParser
import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelDiagnostics
import LaurelRules
import LaurelSQLite

/// Options shared by the commands that read a store.
struct StoreOptions: ParsableArguments {
  @Option(help: "The store: a SQLite file, or a PostgreSQL URL (postgres://user@host/database).")
  var store = "laurel.sqlite"

  /// SQLite's `synchronous` setting, as the command line spells it.
  enum Durability: String, ExpressibleByArgument, CaseIterable {
    case normal, full, off

    var setting: SQLiteStore.Options.Synchronous {
      switch self {
      case .normal: .normal
      case .full: .full
      case .off: .off
      }
    }
  }

  @Option(
    help:
      "When a commit waits for the disk: normal (survives a crash of the process), full (survives a power loss), off.")
  var synchronous: Durability = .normal

  @Option(help: "Seconds to wait for another process's transaction before giving up.")
  var busyTimeout: Double = 10

  func open(readOnly: Bool = false) throws -> SQLiteStore {
    let options = SQLiteStore.Options(
      synchronous: synchronous.setting, busyTimeout: max(0, busyTimeout), readOnly: readOnly)
    do { return try SQLiteStore(path: store, options: options) } catch {
      Output.error("laurel: cannot open \(store): \(error)")
      throw ExitCode(1)
    }
  }

  /// Compiles rule files kept in a store, or prints every diagnostic and exits with status 1.
  static func compile(_ files: [(path: String, text: String)]) throws -> CompiledRules {
    do { return try RuleLoader().load(sources: files) } catch {
      for d in error.diagnostics { Output.error(d.description) }
      Output.error("laurel: the rule files kept in the store are not valid")
      throw ExitCode(1)
    }
  }
}

/// `laurel show --store FILE --user ID [--scope ID]`: one member's profile.
struct Show: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Print one member's profile from a store.")

  @OptionGroup var options: StoreOptions
  @Option(help: "The user id.") var user: String
  @Option(help: "The member's scope (community), for scoped schemes.") var scope: String?
  @Option(help: "json (default) or table.") var format: Simulate.ReportFormat = .json

  func run() async throws {
    let store = try await options.openStore(readOnly: true)
    let rules = try await options.rules(of: store)
    let id = MemberID(scope: scope, user: user)
    guard let state = try await store.state(of: id) else {
      Output.error("laurel: no member \(id) in \(options.location)")
      throw ExitCode(1)
    }
    let report = SimulationReport(rules: rules, members: [(id, state)])
    switch format {
    case .json: try Output.print(SimulationReport.json(report.members[0]))
    case .table: try Output.print(report.table(), terminator: "")
    }
  }
}

/// `laurel export --store FILE`: the whole state in the `simulate` report format.
struct Export: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print every member of a store in the JSON format of laurel simulate (compare the two with diff).")

  @OptionGroup var options: StoreOptions

  func run() async throws {
    let store = try await options.openStore(readOnly: true)
    let rules = try await options.rules(of: store)
    let (members, counts) = try await store.snapshot()
    let report = SimulationReport(rules: rules, members: members, events: counts)
    try Output.print(report.json(), terminator: "")
  }
}
