import Logging
import Laurel
import LaurelExpression

/// The JSON shapes of the API's read models.
extension LaurelServer {
  /// Seed 004's member level (§5.2): `points_to_next_level` only for the
  /// member themself and below the top level, `null` otherwise.
  func levelJSON(_ profile: MemberProfile, ladder: SchemeDefinitions.Ladder, isSelf: Bool) -> JSONValue {
    let tier = profile.tier(ladder.name)
    let isMax = tier?.isMax ?? false
    return .object([
      ("user_id", .string(profile.member.user)),
      ("level", .int(tier?.rank ?? 0)),
      ("level_name", .optional(tier?.name)),
      ("total_points", .int(profile.balance(ladder.currency) ?? 0)),
      ("points_to_next_level", isSelf && !isMax ? .optional(tier?.pointsToNext) : .null),
      ("is_max_level", .bool(isMax)),
    ])
  }

  /// Seed 004's level definitions with distribution.
  func levelsJSON(_ definitions: LevelDefinitions, extra: [(String, JSONValue)] = []) -> JSONValue {
    .object(
      [
        (
          "levels",
          .array(
            definitions.levels.map {
              .object([
                ("level", .int($0.rank)), ("name", .string($0.name)), ("threshold", .int($0.threshold)),
                ("member_percentage", .double($0.percentage)),
              ])
            })
        ),
        ("current_user_level", .optional(definitions.askingMemberRank)),
      ] + extra)
  }

  /// A profile (seed 000 §4.1): XP, the current grade with its animation,
  /// badges with their earned time; every balance and tier besides.
  func profileJSON(_ profile: MemberProfile, isSelf: Bool) -> JSONValue {
    let grade = ladder.flatMap { profile.tier($0.name) }.flatMap { tier -> JSONValue? in
      guard tier.rank > 0, let name = tier.name else { return nil }
      return .object([("name", .string(name)), ("animation_asset_url", .optional(tier.attributes["animation"]))])
    }
    return .object([
      ("user_id", .string(profile.member.user)),
      ("community_id", .optional(profile.member.scope)),
      (
        "experience_points",
        .int(ladder.flatMap { profile.balance($0.currency) } ?? profile.balances.first?.amount ?? 0)
      ),
      ("current_grade", grade ?? .null),
      ("balances", .object(profile.balances.map { ($0.currency, .int($0.amount)) })),
      ("tiers", .array(profile.tiers.map { tierJSON($0, isSelf: isSelf) })),
      ("badges", .array(profile.badges.map(badgeJSON))),
      ("first_activity", .optional(profile.firstActivity?.description)),
      ("last_activity", .optional(profile.lastActivity?.description)),
    ])
  }

  /// An object's counters (`objects:` in the rules), as `laurel simulate`
  /// reports a member's: a number, or a count per key for a keyed counter.
  func objectJSON(_ name: String, key: String, scope: String?, counters: [MemberProfile.Counter]) -> JSONValue {
    .object([
      ("object", .string(name)), ("key", .string(key)), ("community_id", .optional(scope)),
      (
        "counters",
        .object(
          counters.map { counter in
            (
              counter.name,
              counter.isKeyed ? .object(counter.byKey.map { ($0.key, .int($0.count)) }) : .int(counter.total)
            )
          })
      ),
    ])
  }

  func tierJSON(_ tier: MemberProfile.Tier, isSelf: Bool) -> JSONValue {
    .object([
      ("ladder", .string(tier.ladder)), ("level", .int(tier.rank)), ("name", .optional(tier.name)),
      ("threshold", .optional(tier.threshold)), ("next_threshold", .optional(tier.nextThreshold)),
      ("points_to_next_level", isSelf ? .optional(tier.pointsToNext) : .null), ("is_max_level", .bool(tier.isMax)),
    ])
  }

  func badgeJSON(_ badge: MemberProfile.Badge) -> JSONValue {
    .object([
      ("id", .string(badge.badge)), ("name", .string(badge.title)), ("description", .optional(badge.description)),
      ("key", .optional(badge.key)), ("earned_timestamp", .string(badge.earnedAt.description)),
    ])
  }

  func catalogueJSON(_ badge: CatalogueBadge) -> JSONValue {
    .object([
      ("id", .string(badge.name)), ("name", .string(badge.title)), ("description", .optional(badge.description)),
      ("image_url", .optional(badge.imageURL)), ("kind", .string(badge.kind.rawValue)),
    ])
  }

  func ledgerJSON(_ entry: LedgerEntry) -> JSONValue {
    .object([
      ("currency", .string(entry.currency)), ("amount", .int(entry.amount)), ("balance", .int(entry.balance)),
      ("rule", .string(entry.rule)), ("action_id", .string(entry.actionID)), ("at", .string(entry.at.description)),
    ])
  }

  func standingJSON(_ entry: Leaderboard.Entry) -> JSONValue {
    .object([("rank", .int(entry.rank)), ("user_id", .string(entry.user)), ("amount", .int(entry.amount))])
  }

  /// What applying an action did (ingestion's answer).
  func outcomeJSON(_ outcome: Outcome, position: (String, Int)? = nil) -> JSONValue {
    var fields: [(String, JSONValue)] = [("id", .string(outcome.actionID))]
    if let position { fields.append((position.0, .int(position.1))) }
    switch outcome.status {
    case .applied: fields.append(("status", "applied"))
    case .duplicate: fields.append(("status", "duplicate"))
    case .ignored: fields.append(("status", "ignored"))
    case .rejected(let error):
      fields.append(("status", "rejected"))
      fields.append(("error", .object([("code", .string(error.kind.code)), ("message", .string(error.message))])))
      return .object(fields)
    }
    fields.append(
      (
        "ledger",
        .array(
          outcome.ledger.map {
            .object([
              ("member_id", .string($0.member.user)), ("community_id", .optional($0.member.scope)),
              ("currency", .string($0.currency)), ("amount", .int($0.amount)), ("balance", .int($0.balance)),
              ("rule", .string($0.rule)),
            ])
          })
      ))
    fields.append(
      (
        "level_changes",
        .array(
          outcome.tierChanges.map {
            .object([
              ("member_id", .string($0.member.user)), ("community_id", .optional($0.member.scope)),
              ("ladder", .string($0.ladder)), ("old_level", .int($0.from)), ("new_level", .int($0.to)),
              ("new_level_name", .string($0.name)),
            ])
          })
      ))
    fields.append(
      (
        "badges",
        .array(
          outcome.badges.map {
            .object([
              ("member_id", .string($0.member.user)), ("community_id", .optional($0.member.scope)),
              ("badge", .string($0.badge)), ("key", .optional($0.key)),
            ])
          })
      ))
    return .object(fields)
  }
}
