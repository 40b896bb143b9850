import ArgumentParser
import Foundation
import Laurel
import LaurelExpression
import LaurelPostgres
import LaurelSQLite

/// What the admin and read commands share: the store with its rules as an
/// engine, JSON output, and admin errors printed in full.
struct AdminContext<S: CommandStore> {
  let engine: Engine<S>

  /// Runs an engine call; an ``AdminError`` or ``QueryError`` prints every problem and exits with status 1.
  func run<T>(_ body: (Engine<S>) async throws -> T) async throws -> T {
    do { return try await body(engine) } catch let error as AdminError {
      Output.error("laurel: \(error.code): \(error.message)")
      for problem in error.problems { Output.error("  \(problem.field): \(problem.message)") }
      throw ExitCode(1)
    } catch let error as QueryError {
      Output.error("laurel: \(error.code): \(error.description)")
      throw ExitCode(1)
    } catch let error as SQLiteStore.WriteError {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    } catch let error as PostgresStore.WriteError {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
  }
}

/// JSON forms of the read models, as the commands print them.
enum AdminJSON {
  /// Prints a JSON value (dictionaries, arrays, strings, numbers, NSNull), keys sorted.
  static func print(_ value: Any) throws {
    let data = try JSONSerialization.data(
      withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    try Output.print(String(decoding: data, as: UTF8.self))
  }

  static func optional(_ value: Any?) -> Any { value ?? NSNull() }

  static func tier(_ tier: MemberProfile.Tier) -> [String: Any] {
    [
      "ladder": tier.ladder, "rank": tier.rank, "name": optional(tier.name), "threshold": optional(tier.threshold),
      "next_threshold": optional(tier.nextThreshold), "points_to_next": optional(tier.pointsToNext),
      "is_max": tier.isMax, "attributes": tier.attributes,
    ]
  }

  static func profile(_ profile: MemberProfile) -> [String: Any] {
    [
      "scope": optional(profile.member.scope), "user": profile.member.user,
      "balances": Dictionary(uniqueKeysWithValues: profile.balances.map { ($0.currency, $0.amount) }),
      "tiers": profile.tiers.map(tier),
      "badges": profile.badges.map {
        [
          "badge": $0.badge, "title": $0.title, "description": optional($0.description), "key": optional($0.key),
          "earned_at": $0.earnedAt.description,
        ] as [String: Any]
      },
      "first_activity": optional(profile.firstActivity?.description),
      "last_activity": optional(profile.lastActivity?.description),
    ]
  }

  static func levels(_ levels: LevelDefinitions) -> [String: Any] {
    [
      "ladder": levels.ladder, "scope": optional(levels.scope), "member_count": levels.memberCount,
      "current_user_level": optional(levels.askingMemberRank),
      "levels": levels.levels.map {
        [
          "level": $0.rank, "name": $0.name, "threshold": $0.threshold, "members": $0.members,
          "member_percentage": $0.percentage,
        ] as [String: Any]
      },
    ]
  }

  static func entry(_ entry: Leaderboard.Entry) -> [String: Any] {
    ["rank": entry.rank, "user": entry.user, "amount": entry.amount]
  }

  static func tierChange(_ change: TierChange) -> [String: Any] {
    [
      "user": change.member.user, "from": change.from, "to": change.to, "name": change.name,
      "event": change.to > change.from ? "leveledUp" : "leveledDown",
    ]
  }

  static func audit(_ entry: AuditEntry) -> [String: Any] {
    [
      "at": entry.at.description, "actor": entry.actor, "operation": entry.operation, "scope": optional(entry.scope),
      "target": entry.target, "before": optional(entry.before), "after": optional(entry.after),
      "reason": optional(entry.reason),
    ]
  }

  static func badge(_ badge: CatalogueBadge) -> [String: Any] {
    [
      "name": badge.name, "title": badge.title, "description": optional(badge.description),
      "image_url": optional(badge.imageURL), "kind": badge.kind.rawValue, "editable": badge.isEditable,
    ]
  }

  static func award(_ award: BadgeAward) -> [String: Any] {
    [
      "scope": optional(award.member.scope), "user": award.member.user, "badge": award.badge,
      "key": optional(award.key), "at": award.at.description,
    ]
  }
}

/// `7d`, `30d`, `all` on the command line.
struct WindowArgument: ExpressibleByArgument {
  var window: LeaderboardWindow

  init?(argument: String) {
    if argument == "all" {
      window = .allTime
    } else if argument.hasSuffix("d"), let days = Int(argument.dropLast()), days > 0 {
      window = .days(days)
    } else {
      return nil
    }
  }
}
