/// How many actions were read and what became of them.
public struct EventCounts: Sendable, Equatable {
  public var read = 0
  public var applied = 0
  public var duplicates = 0
  public var ignored = 0
  public var rejected = 0
  /// What the applied actions produced for members (points awarded, level
  /// steps, badges): replays count them, and stores keep them with the
  /// action counts, so `laurel export` gives the same figures as `simulate`.
  public var notifications = MemberEventCounts()
  public init() {}

  /// The counts of a batch: its outcomes, plus `undecodable` lines that
  /// never became actions (read and rejected).
  public init(_ outcomes: [Outcome], undecodable: Int = 0) {
    read = outcomes.count + undecodable
    rejected = undecodable
    for outcome in outcomes {
      switch outcome.status {
      case .applied:
        applied += 1
        notifications.add(outcome.tally)
      case .duplicate: duplicates += 1
      case .ignored: ignored += 1
      case .rejected: rejected += 1
      }
    }
  }

  public static func += (total: inout EventCounts, more: EventCounts) {
    total.read += more.read
    total.applied += more.applied
    total.duplicates += more.duplicates
    total.ignored += more.ignored
    total.rejected += more.rejected
    total.notifications += more.notifications
  }

  /// Only what the applied actions among `outcomes` produced (a rebuild's
  /// counts: its actions were counted when they first arrived).
  public static func notifications(of outcomes: [Outcome]) -> EventCounts {
    var counts = EventCounts()
    for outcome in outcomes where outcome.status == .applied { counts.notifications.add(outcome.tally) }
    return counts
  }

  /// Each count with the name stores keep it under (`read`, `points_awarded`, …).
  public var named: [(name: String, value: Int)] {
    [
      ("read", read), ("applied", applied), ("duplicates", duplicates), ("ignored", ignored), ("rejected", rejected),
      ("points_awarded", notifications.pointsAwarded), ("points_deducted", notifications.pointsDeducted),
      ("leveled_up", notifications.leveledUp), ("leveled_down", notifications.leveledDown),
      ("badge_earned", notifications.badgeEarned),
    ]
  }

  /// The names of ``notifications`` among ``named``.
  public static let notificationNames = [
    "points_awarded", "points_deducted", "leveled_up", "leveled_down", "badge_earned",
  ]

  /// Counts read back from their names; unknown names are ignored.
  public init(named rows: some Sequence<(String, Int)>) {
    for (name, value) in rows {
      switch name {
      case "read": read = value
      case "applied": applied = value
      case "duplicates": duplicates = value
      case "ignored": ignored = value
      case "rejected": rejected = value
      case "points_awarded": notifications.pointsAwarded = value
      case "points_deducted": notifications.pointsDeducted = value
      case "leveled_up": notifications.leveledUp = value
      case "leveled_down": notifications.leveledDown = value
      case "badge_earned": notifications.badgeEarned = value
      default: break
      }
    }
  }
}

/// How many domain events the run produced.
public struct MemberEventCounts: Sendable, Equatable {
  public var pointsAwarded = 0
  public var pointsDeducted = 0
  /// Tier steps upwards (a jump from 1 to 3 counts 2).
  public var leveledUp = 0
  public var leveledDown = 0
  public var badgeEarned = 0
  public init() {}

  /// Adds one applied action's effects.
  mutating func add(_ tally: Outcome.Tally) {
    pointsAwarded += tally.pointsAwarded
    pointsDeducted += tally.pointsDeducted
    leveledUp += tally.leveledUp
    leveledDown += tally.leveledDown
    badgeEarned += tally.badgesEarned
  }

  public static func += (total: inout MemberEventCounts, more: MemberEventCounts) {
    total.pointsAwarded += more.pointsAwarded
    total.pointsDeducted += more.pointsDeducted
    total.leveledUp += more.leveledUp
    total.leveledDown += more.leveledDown
    total.badgeEarned += more.badgeEarned
  }
}
