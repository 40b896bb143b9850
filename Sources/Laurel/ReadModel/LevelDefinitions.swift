/// A ladder's tiers in one scope with how many of the scope's members hold
/// each (seed 004's `GET /levels`), and where the asking member stands.
public struct LevelDefinitions: Sendable, Equatable {
  public var ladder: String
  /// The scope (a community); nil for a global scheme.
  public var scope: String?
  /// Every tier, lowest first, empty ones included.
  public var levels: [Level]
  /// The members of the scope counted (those holding no tier of a gated
  /// ladder included, in no level).
  public var memberCount: Int
  /// The asking member's rank; a member the store has never seen has a new
  /// member's rank. nil when nobody asked.
  public var askingMemberRank: Int?

  /// One tier and its share of the scope's members.
  public struct Level: Sendable, Equatable {
    /// 1-based.
    public var rank: Int
    public var name: String
    public var threshold: Int64
    public var members: Int
    /// `members / memberCount` in percent, rounded to one decimal; 0 in an empty scope.
    public var percentage: Double
  }
}

extension Engine {
  /// The tiers of `ladder` in `scope` with their member counts and shares,
  /// and the rank of `member` (a user id in that scope) when given.
  ///
  /// - Throws: ``QueryError`` with ``QueryError/Kind/unknownLadder``.
  public func levels(ladder: String, scope: String?, asking member: String? = nil) async throws -> LevelDefinitions {
    let index = try ladderIndex(ladder)
    let tiers = try await tierSettings(index, scope: scope)
    var counts = Array(repeating: 0, count: tiers.count + 1)
    let members = try await store.members(inScope: scope)
    for (_, state) in members {
      let rank = index < state.tiers.count ? Int(state.tiers[index]) : 0
      counts[rank >= 0 && rank <= tiers.count ? rank : 0] += 1
    }
    let total = members.count
    var asking: Int?
    if let member {
      asking = try await profile(of: MemberID(scope: scope, user: member)).tier(ladder)?.rank
    }
    return LevelDefinitions(
      ladder: ladder, scope: scope,
      levels: tiers.indices.map { i in
        let share = total == 0 ? 0 : (Double(counts[i + 1]) * 1000 / Double(total)).rounded() / 10
        return .init(
          rank: i + 1, name: tiers[i].name, threshold: tiers[i].threshold, members: counts[i + 1], percentage: share)
      },
      memberCount: total, askingMemberRank: asking)
  }

  /// The tiers of ladder `index` in `scope`: the scope's override, else the rules'.
  func tierSettings(_ index: Int, scope: String?) async throws -> [TierSetting] {
    let ladder = rules.ladders[index]
    if ladder.overridable, let custom = try await store.tierOverrides(scope: scope)[ladder.name] { return custom }
    return ladder.tiers.map { TierSetting(name: $0.name, threshold: $0.threshold) }
  }

  /// The index of the ladder named `name`.
  ///
  /// - Throws: ``QueryError`` with ``QueryError/Kind/unknownLadder``.
  func ladderIndex(_ name: String) throws -> Int {
    guard let index = rules.ladders.firstIndex(where: { $0.name == name }) else {
      throw QueryError(
        .unknownLadder,
        "unknown ladder '\(name)'; declared ladders: \(rules.ladders.map(\.name).joined(separator: ", "))")
    }
    return index
  }
}
