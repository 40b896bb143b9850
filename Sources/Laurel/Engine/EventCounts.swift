/// How many actions were read and what became of them.
public struct EventCounts: Sendable, Equatable {
  public var read = 0
  public var applied = 0
  public var duplicates = 0
  public var ignored = 0
  public var rejected = 0
  public init() {}

  /// The counts of a batch: its outcomes, plus `undecodable` lines that
  /// never became actions (read and rejected).
  public init(_ outcomes: [Outcome], undecodable: Int = 0) {
    read = outcomes.count + undecodable
    rejected = undecodable
    for outcome in outcomes {
      switch outcome.status {
      case .applied: applied += 1
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
}
