public import LaurelDiagnostics
public import LaurelExpression

/// How a member's tier follows the balance.
public enum TierPolicy: String, Sendable, CaseIterable {
  /// Never goes down (seed 004's levels).
  case ratchet
  /// Tracks the balance up and down (seed 000's grades).
  case follow
}

/// One named threshold on a ladder.
public struct TierDeclaration: Sendable {
  public var name: Name
  public var threshold: Int64
  /// Trait values (of the ladder's segment trait) that may hold this tier;
  /// empty means everyone ("All").
  public var access: [Name] = []
  /// Free-form attributes shown to clients (an animation URL).
  public var attributes: [(key: String, value: String)] = []
  public var location: SourceLocation?
  public init(name: Name, threshold: Int64) {
    self.name = name
    self.threshold = threshold
  }
}

/// Ordered tiers (levels, grades) over one currency.
public struct LadderDeclaration: Sendable {
  public var name: Name
  public var currency: Name
  public var policy: TierPolicy = .ratchet
  /// The trait tier `access` lists refer to (`plan`).
  public var segment: Name?
  /// Whether admins may rename tiers and move thresholds per scope at run time.
  public var overridable = false
  public var tiers: [TierDeclaration] = []
  public init(name: Name, currency: Name) {
    self.name = name
    self.currency = currency
  }
}

/// A badge: earned automatically when `when` holds, or granted by an admin.
public struct BadgeDeclaration: Sendable {
  public var name: Name
  public var title: String?
  public var summary: String?
  /// One badge per distinct key value (`event.module`); available as `key` in `when`.
  public var key: ExpressionSource?
  public var when: ExpressionSource?
  /// The member who may earn it, from the action (`event.owner`): it is
  /// checked only for that member. nil: any member the action touches.
  public var to: ExpressionSource?
  /// Only an admin can grant it.
  public var manual = false
  public init(name: Name) { self.name = name }
}

/// An access gate: resources (courses) that need a tier on a ladder, set at run time.
public struct GateDeclaration: Sendable {
  public var name: Name
  public var ladder: Name
  /// Message for a denied check; `{rank}` and `{name}` are replaced.
  public var message = "Unlock at Level {rank} - {name}"
  public init(name: Name, ladder: Name) {
    self.name = name
    self.ladder = ladder
  }
}

/// A leaderboard window: all time or the last N days.
public enum LeaderboardWindow: Hashable, Sendable, CustomStringConvertible {
  case allTime
  case days(Int)
  public var description: String {
    switch self {
    case .allTime: "all"
    case .days(let n): "\(n)d"
    }
  }
}

/// A ranking of members by a currency.
public struct LeaderboardDeclaration: Sendable {
  public var name: Name
  public var currency: Name
  public var windows: [LeaderboardWindow] = [.allTime]
  public init(name: Name, currency: Name) {
    self.name = name
    self.currency = currency
  }
}
