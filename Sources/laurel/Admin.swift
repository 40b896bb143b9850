import ArgumentParser
import Foundation
import Laurel
import LaurelExpression
import LaurelSQLite

/// `laurel admin …`: every runtime administration operation against a store.
struct Admin: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Change a store's runtime settings: tiers per scope, gates, badges, grants; read the audit log and lists.",
    discussion: """
      Every change is validated (every problem is printed, exit status 1), applied in one transaction \
      with the members it re-ranks, and audited with --by. Output is JSON.
      """,
    subcommands: [
      SetTiers.self, ResetTiers.self, SetRequirement.self, Grant.self, Revoke.self, CreateBadge.self,
      UpdateBadge.self, Badges.self, Audit.self, Members.self, Holders.self, ProgressList.self,
    ])
}

/// Options every admin change takes.
struct ChangeOptions: ParsableArguments {
  @Option(help: "Who makes the change (kept in the audit log).")
  var by = ProcessInfo.processInfo.environment["USER"] ?? "cli"
  @Option(help: "Why (kept in the audit log).") var reason: String?
}

extension Admin {
  struct SetTiers: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
      commandName: "set-tiers",
      abstract: "Set an overridable ladder's tier names and thresholds for one scope, and re-rank its members.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var change: ChangeOptions
    @Option(help: "The ladder.") var ladder: String
    @Option(help: "The scope (community).") var scope: String?
    @Option(help: #"The tiers as JSON: [{"name":"Beginner","threshold":0}, …], or @FILE."#) var tiers: String

    func run() async throws { try await store.run(self, readOnly: false) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      let text = tiers.hasPrefix("@") ? try String(contentsOfFile: String(tiers.dropFirst()), encoding: .utf8) : tiers
      guard let parsed = try? JSONDecoder().decode([TierSetting].self, from: Data(text.utf8)) else {
        Output.error(#"laurel: --tiers must be a JSON array of {"name": string, "threshold": integer}"#)
        throw ExitCode(1)
      }
      let update = try await context.run {
        try await $0.setTiers(parsed, ladder: ladder, scope: scope, by: change.by, reason: change.reason)
      }
      try AdminJSON.print([
        "ladder": update.ladder, "scope": AdminJSON.optional(update.scope), "members_ranked": update.membersRanked,
        "tiers": update.tiers.enumerated().map { ["level": $0 + 1, "name": $1.name, "threshold": $1.threshold] },
        "tier_changes": update.tierChanges.map(AdminJSON.tierChange),
      ])
    }
  }

  struct ResetTiers: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
      commandName: "reset-tiers", abstract: "Return a scope to the ladder's tiers as the rules declare them.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var change: ChangeOptions
    @Option(help: "The ladder.") var ladder: String
    @Option(help: "The scope (community).") var scope: String?

    func run() async throws { try await store.run(self, readOnly: false) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      let update = try await context.run {
        try await $0.resetTiers(ladder: ladder, scope: scope, by: change.by, reason: change.reason)
      }
      try AdminJSON.print([
        "ladder": update.ladder, "members_ranked": update.membersRanked,
        "tier_changes": update.tierChanges.map(AdminJSON.tierChange),
      ])
    }
  }

  struct SetRequirement: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
      commandName: "set-requirement", abstract: "Require a rank for a gated resource (a course), or remove it.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var change: ChangeOptions
    @Option(help: "The gate.") var gate: String
    @Option(help: "The resource (course id).") var resource: String
    @Option(help: "The scope (community).") var scope: String?
    @Option(help: "The rank required (1…tier count), or 'none' to remove the requirement.") var rank: String

    func run() async throws { try await store.run(self, readOnly: false) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      let required: Int?
      if rank == "none" {
        required = nil
      } else if let value = Int(rank) {
        required = value
      } else {
        Output.error("laurel: --rank must be a whole number or 'none', got '\(rank)'")
        throw ExitCode(1)
      }
      try await context.run {
        try await $0.setRequirement(
          gate: gate, resource: resource, scope: scope, rank: required, by: change.by, reason: change.reason)
      }
      try AdminJSON.print(["gate": gate, "resource": resource, "rank": AdminJSON.optional(required)])
    }
  }

  /// A member and a badge, for grants and revocations.
  struct BadgeTarget: ParsableArguments {
    @Option(help: "The badge.") var badge: String
    @Option(help: "The user id.") var user: String
    @Option(help: "The member's scope (community).") var scope: String?
    @Option(help: "The key of a per-key badge.") var key: String?
  }

  struct Grant: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
      abstract: "Grant a manual or runtime badge to a member (a second grant changes nothing).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var change: ChangeOptions
    @OptionGroup var target: BadgeTarget

    func run() async throws { try await store.run(self, readOnly: false) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      let result = try await context.run {
        try await $0.grantBadge(
          target.badge, key: target.key, to: MemberID(scope: target.scope, user: target.user), by: change.by,
          reason: change.reason)
      }
      var json = AdminJSON.award(result.award)
      json["granted"] = result.granted
      try AdminJSON.print(json)
    }
  }

  struct Revoke: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(abstract: "Take a granted badge back from a member.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var change: ChangeOptions
    @OptionGroup var target: BadgeTarget

    func run() async throws { try await store.run(self, readOnly: false) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      try await context.run {
        try await $0.revokeBadge(
          target.badge, key: target.key, from: MemberID(scope: target.scope, user: target.user), by: change.by,
          reason: change.reason)
      }
      try AdminJSON.print(["revoked": true, "badge": target.badge, "user": target.user])
    }
  }

  /// A runtime badge's fields.
  struct BadgeFields: ParsableArguments {
    @Option(help: "The badge's name (letters, digits, '_', '-', '.').") var name: String
    @Option(help: "Its title for people.") var title: String
    @Option(help: "What it is awarded for.") var description: String?
    @Option(help: "An http(s) image URL.") var imageURL: String?

    var badge: CatalogueBadge {
      CatalogueBadge(name: name, title: title, description: description, imageURL: imageURL)
    }
  }

  struct CreateBadge: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
      commandName: "create-badge", abstract: "Add a badge to the runtime catalogue (granted by admins).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var change: ChangeOptions
    @OptionGroup var fields: BadgeFields

    func run() async throws { try await store.run(self, readOnly: false) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      let badge = try await context.run { try await $0.createBadge(fields.badge, by: change.by) }
      try AdminJSON.print(AdminJSON.badge(badge))
    }
  }

  struct UpdateBadge: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
      commandName: "update-badge", abstract: "Change a runtime badge's title, description and image.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var change: ChangeOptions
    @OptionGroup var fields: BadgeFields

    func run() async throws { try await store.run(self, readOnly: false) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      let badge = try await context.run { try await $0.updateBadge(fields.badge, by: change.by) }
      try AdminJSON.print(AdminJSON.badge(badge))
    }
  }

  /// Paging options of the lists.
  struct Page: ParsableArguments {
    @Option(help: "Entries per page.") var limit = 50
    @Option(help: "Entries to skip.") var offset = 0
  }

  struct Badges: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the badge catalogue: the rules' badges and the runtime ones.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var page: Page
    @Option(help: "automatic, manual or runtime.") var kind: String?

    func run() async throws { try await store.run(self, readOnly: true) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      var filter: CatalogueBadge.Kind?
      if let kind {
        guard let parsed = CatalogueBadge.Kind(rawValue: kind) else {
          Output.error("laurel: --kind must be automatic, manual or runtime, got '\(kind)'")
          throw ExitCode(1)
        }
        filter = parsed
      }
      let (total, badges) = try await context.run {
        try await $0.badgeCatalogue(kind: filter, limit: page.limit, offset: page.offset)
      }
      try AdminJSON.print(["total": total, "badges": badges.map(AdminJSON.badge)])
    }
  }

  struct Audit: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(abstract: "Print the audit log, newest first.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var page: Page

    func run() async throws { try await store.run(self, readOnly: true) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      let entries = try await context.run { try await $0.auditLog(limit: page.limit, offset: page.offset) }
      try AdminJSON.print(entries.map(AdminJSON.audit))
    }
  }

  struct Members: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
      abstract: "List a scope's members (profiles), searchable by user id prefix.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var page: Page
    @Option(help: "The scope (community).") var scope: String?
    @Option(help: "Only users whose id starts with this.") var prefix = ""

    func run() async throws { try await store.run(self, readOnly: true) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      let result = try await context.run {
        try await $0.members(scope: scope, prefix: prefix, limit: page.limit, offset: page.offset)
      }
      try AdminJSON.print(["total": result.total, "members": result.members.map(AdminJSON.profile)])
    }
  }

  struct Holders: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(abstract: "List the members holding a badge, earliest first.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var page: Page
    @Option(help: "The badge.") var badge: String
    @Option(help: "Only this scope's members.") var scope: String?

    func run() async throws { try await store.run(self, readOnly: true) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      let holders = try await context.run {
        try await $0.badgeHolders(badge, scope: scope, limit: page.limit, offset: page.offset)
      }
      try AdminJSON.print(holders.map(AdminJSON.award))
    }
  }

  struct ProgressList: AsyncParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
      commandName: "progress", abstract: "List the members with a key of a progress map in a state (a module's users).")

    @OptionGroup var store: StoreOptions
    @Option(help: "The progress map.") var progress: String
    @Option(help: "The key (module id).") var key: String
    @Option(help: "Only this state (default: any state but the first).") var state: String?
    @Option(help: "The scope (community).") var scope: String?

    func run() async throws { try await store.run(self, readOnly: true) }

    func run<S: CommandStore>(_ context: AdminContext<S>) async throws {
      let members = try await context.run {
        try await $0.members(scope: scope, progress: progress, key: key, state: state)
      }
      try AdminJSON.print(members.map { ["user": $0.member.user, "state": $0.state] })
    }
  }
}
