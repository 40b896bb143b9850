import ArgumentParser
import Foundation
import Laurel
import LaurelExpression
import LaurelSQLite

/// `laurel levels --store FILE --ladder NAME [--scope S] [--user U]`.
struct Levels: AsyncParsableCommand, StoreCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print a ladder's tiers in a scope with each tier's share of members (and one member's rank).")

  @OptionGroup var store: StoreOptions
  @Option(help: "The ladder.") var ladder: String
  @Option(help: "The scope (community).") var scope: String?
  @Option(help: "A user whose rank to include.") var user: String?
  @Option(help: "json (default) or table.") var format: Simulate.ReportFormat = .json

  func run() async throws { try await store.run(self, readOnly: true) }

  func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
    let levels = try await context.run { try await $0.levels(ladder: ladder, scope: scope, asking: user) }
    switch format {
    case .json: try AdminJSON.print(AdminJSON.levels(levels))
    case .table:
      var lines = ["level  name                            threshold   members  share"]
      for level in levels.levels {
        lines.append(
          "\(pad(String(level.rank), 5))  \(level.name.padding(toLength: 30, withPad: " ", startingAt: 0))  "
            + "\(pad(String(level.threshold), 9))  \(pad(String(level.members), 8))  \(level.percentage)%")
      }
      if let rank = levels.askingMemberRank { lines.append("\(user ?? ""): level \(rank)") }
      try Output.print(lines.joined(separator: "\n"))
    }
  }
}

/// Right-aligns `text` in `width` columns.
func pad(_ text: String, _ width: Int) -> String {
  String(repeating: " ", count: max(0, width - text.count)) + text
}

/// `laurel leaderboard --store FILE NAME [--window 7d] [--scope S] [--user U]`.
struct LeaderboardCommand: AsyncParsableCommand, StoreCommand {
  static let configuration = CommandConfiguration(
    commandName: "leaderboard", abstract: "Print a page of a leaderboard (and where one member stands).")

  @OptionGroup var store: StoreOptions
  @Argument(help: "The leaderboard's name.") var name: String
  @Option(help: "all, or a window the board declares (7d, 30d); default: its first.") var window: WindowArgument?
  @Option(help: "The scope (community).") var scope: String?
  @Option(help: "A user whose rank and neighbours to include.") var user: String?
  @Option(help: "Entries per page.") var limit = 10
  @Option(help: "Entries to skip.") var offset = 0
  @Option(help: "json (default) or table.") var format: Simulate.ReportFormat = .json

  func run() async throws { try await store.run(self, readOnly: false) }

  func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
    // Opened for writing: a read brings the leaderboards' tables up to the ledger first.
    let board = try await context.run {
      try await $0.leaderboard(name, window: window?.window, scope: scope, limit: limit, offset: offset, user: user)
    }
    switch format {
    case .json:
      try AdminJSON.print([
        "leaderboard": board.name, "currency": board.currency, "window": board.window.description,
        "scope": AdminJSON.optional(board.scope), "entries": board.entries.map(AdminJSON.entry),
        "member": AdminJSON.optional(board.member.map(AdminJSON.entry)),
        "neighbours": board.neighbours.map(AdminJSON.entry),
      ])
    case .table:
      var lines = ["\(board.name) (\(board.window), \(board.currency))"]
      for entry in board.entries { lines.append("\(pad(String(entry.rank), 5))  \(entry.user)  \(entry.amount)") }
      if let me = board.member { lines.append("\(me.user): rank \(me.rank), \(me.amount)") }
      try Output.print(lines.joined(separator: "\n"))
    }
  }
}

/// `laurel gate check --store FILE --gate G --resource R --user U [--scope S]`.
struct Gate: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check and list the rank requirements of gated resources (courses).",
    subcommands: [Check.self, List.self])

  struct Check: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
      abstract: "Whether a member may open a resource; exit status 0 either way, the answer is in the output.")

    @OptionGroup var store: StoreOptions
    @Option(help: "The gate.") var gate: String
    @Option(help: "The resource (course id).") var resource: String
    @Option(help: "The scope (community).") var scope: String?
    @Option(help: "The user id.") var user: String

    func run() async throws { try await store.run(self, readOnly: true) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      let access = try await context.run {
        try await $0.access(gate: gate, resource: resource, scope: scope, user: user)
      }
      try AdminJSON.print([
        "has_access": access.hasAccess, "required_level": AdminJSON.optional(access.requiredRank),
        "required_level_name": AdminJSON.optional(access.requiredName), "current_level": access.currentRank,
        "message": AdminJSON.optional(access.message),
      ])
    }
  }

  struct List: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(abstract: "List a gate's requirements in a scope.")

    @OptionGroup var store: StoreOptions
    @Option(help: "The gate.") var gate: String
    @Option(help: "The scope (community).") var scope: String?

    func run() async throws { try await store.run(self, readOnly: true) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      let requirements = try await context.run { try await $0.requirements(gate: gate, scope: scope) }
      try AdminJSON.print(requirements.map { ["resource": $0.resource, "level": $0.rank] })
    }
  }
}

/// `laurel profile --store FILE --user ID [--scope S]`: the read model admins and clients see.
struct ProfileCommand: AsyncParsableCommand, StoreCommand {
  static let configuration = CommandConfiguration(
    commandName: "profile",
    abstract:
      "Print a member's profile as clients see it: the scope's tier names, points to the next tier, granted badges, activity.",
    discussion:
      "A member the store has never seen reads as a new member. (laurel show prints laurel simulate's format.)")

  @OptionGroup var store: StoreOptions
  @Option(help: "The user id.") var user: String
  @Option(help: "The member's scope (community), for scoped schemes.") var scope: String?

  func run() async throws { try await store.run(self, readOnly: true) }

  func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
    let profile = try await context.run { try await $0.profile(of: MemberID(scope: scope, user: user)) }
    try AdminJSON.print(AdminJSON.profile(profile))
  }
}
