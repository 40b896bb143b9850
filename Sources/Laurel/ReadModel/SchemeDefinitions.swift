/// What a scheme declares, for clients and servers: its currencies, ladders
/// and their tiers, badges, gates, leaderboards, progress maps and action
/// types (`GET /api/scheme`). Expressions are not included.
public struct SchemeDefinitions: Sendable, Equatable {
  public struct Ladder: Sendable, Equatable {
    public var name: String
    public var currency: String
    public var policy: TierPolicy
    /// Whether admins may rename tiers and move thresholds per scope.
    public var overridable: Bool
    public var tiers: [Tier]
  }

  public struct Tier: Sendable, Equatable {
    public var name: String
    public var threshold: Int64
    /// The segment values allowed (nil: everyone).
    public var access: [String]?
    public var attributes: [String: String]
  }

  public struct Badge: Sendable, Equatable {
    public var name: String
    public var title: String
    public var description: String?
    /// Granted by admins only.
    public var manual: Bool
  }

  public struct Gate: Sendable, Equatable {
    public var name: String
    public var ladder: String
  }

  public struct Leaderboard: Sendable, Equatable {
    public var name: String
    public var currency: String
    public var windows: [LeaderboardWindow]
  }

  public struct Progress: Sendable, Equatable {
    public var name: String
    public var states: [String]
  }

  public var scheme: String
  /// Whether members are scoped (one member per community and user).
  public var isScoped: Bool
  public var currencies: [String]
  public var ladders: [Ladder]
  public var badges: [Badge]
  public var gates: [Gate]
  public var leaderboards: [Leaderboard]
  public var progress: [Progress]
  public var actionTypes: [String]
  /// The objects that keep their own counters (`objects:`, such as `post`).
  public var objects: [String]
}

extension CompiledRules {
  /// What the scheme declares (see ``SchemeDefinitions``).
  public var definitions: SchemeDefinitions {
    SchemeDefinitions(
      scheme: scheme, isScoped: isScoped, currencies: currencyNames,
      ladders: ladders.map { ladder in
        .init(
          name: ladder.name, currency: currencies[ladder.currency].name, policy: ladder.policy,
          overridable: ladder.overridable,
          tiers: ladder.tiers.map {
            .init(
              name: $0.name, threshold: $0.threshold, access: $0.access.map { $0.sorted() },
              attributes: Dictionary($0.attributes, uniquingKeysWith: { _, last in last }))
          })
      },
      badges: badges.map { .init(name: $0.name, title: $0.title, description: $0.summary, manual: $0.manual) },
      gates: gates.map { .init(name: $0.name.text, ladder: $0.ladder.text) },
      leaderboards: leaderboards.map { .init(name: $0.name.text, currency: $0.currency.text, windows: $0.windows) },
      progress: progress.map { .init(name: $0.name, states: $0.states) },
      actionTypes: actionTypes, objects: objects.map(\.name))
  }
}
