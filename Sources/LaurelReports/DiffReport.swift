public import Laurel
import LaurelExpression

/// What a rule change does to a history: the members whose balances, tiers or
/// badges differ, with the per-rule explanation, and the distributions before
/// and after.
public struct DiffReport: Sendable {
  /// One member whose state differs between the two rule sets.
  public struct Change: Sendable {
    public var id: MemberID
    /// nil when the member exists only under the other rules.
    public var before: MemberProfile?
    public var after: MemberProfile?
    /// Amount applied under the new rules minus under the old, per rule id (nonzero only).
    public var byRule: [(rule: String, delta: Int64)]
    public var balanceChanged: Bool
    public var tierChanged: Bool
    public var badgesChanged: Bool

    init?(id: MemberID, before: MemberProfile?, after: MemberProfile?, byRule: [(String, Int64)]) {
      self.id = id
      self.before = before
      self.after = after
      self.byRule = byRule
      func balances(_ m: MemberProfile?) -> [String: Int64] {
        Dictionary((m?.balances ?? []).map { ($0.currency, $0.amount) }, uniquingKeysWith: { a, _ in a })
      }
      func tiers(_ m: MemberProfile?) -> [String: Int] {
        Dictionary((m?.tiers ?? []).map { ($0.ladder, $0.rank) }, uniquingKeysWith: { a, _ in a })
      }
      func badges(_ m: MemberProfile?) -> Set<String> {
        Set((m?.badges ?? []).map { "\($0.badge)\u{0}\($0.key ?? "")" })
      }
      balanceChanged = balances(before) != balances(after)
      tierChanged = tiers(before) != tiers(after)
      badgesChanged = badges(before) != badges(after)
      if !(balanceChanged || tierChanged || badgesChanged || !byRule.isEmpty) { return nil }
    }

    /// Change of a currency's balance (after - before; a missing member counts as 0).
    public func delta(_ currency: String) -> Int64 {
      (after?.balances.first { $0.currency == currency }?.amount ?? 0)
        - (before?.balances.first { $0.currency == currency }?.amount ?? 0)
    }

    /// Badges held after but not before, and before but not after.
    public var badgesGained: [MemberProfile.Badge] { Self.minus(after?.badges, before?.badges) }
    public var badgesLost: [MemberProfile.Badge] { Self.minus(before?.badges, after?.badges) }

    static func minus(_ a: [MemberProfile.Badge]?, _ b: [MemberProfile.Badge]?) -> [MemberProfile.Badge] {
      let other = Set((b ?? []).map { "\($0.badge)\u{0}\($0.key ?? "")" })
      return (a ?? []).filter { !other.contains("\($0.badge)\u{0}\($0.key ?? "")") }
    }
  }

  /// Members per tier of one ladder, before and after.
  public struct TierDistribution: Sendable {
    public var ladder: String
    /// (rank, tier name, members before, members after); rank 0 = no tier.
    public var rows: [(rank: Int, name: String, before: Int, after: Int)]
  }

  /// Members per balance bucket of one currency, before and after.
  public struct BalanceHistogram: Sendable {
    public var currency: String
    /// (bucket label, lower bound inclusive, members before, members after).
    public var buckets: [(label: String, lower: Int64, before: Int, after: Int)]
  }

  public struct BadgeCount: Sendable {
    /// The badge's id (its key under `badges:`).
    public var badge: String
    /// Its `title`, as people read it (the id when it has none).
    public var title: String
    public var newlyEarned: Int
    public var noLongerEarned: Int
  }

  public var from: String
  public var to: String
  /// Where the two rule sets came from (paths, `git:HEAD`), shown in titles when set.
  public var sources: (from: String, to: String)?
  public var events: EventCounts
  public var membersCompared: Int
  public var members: [Change]
  public var tierDistributions: [TierDistribution]
  public var balanceHistograms: [BalanceHistogram]
  public var badges: [BadgeCount]
  /// Biggest changes of the first currency (gainers descending, losers ascending).
  public var gainers: [(MemberID, Int64)]
  public var losers: [(MemberID, Int64)]
  public var primaryCurrency: String?

  /// "community-points (git:HEAD) -> community-points (rules/community-points.yaml)".
  var title: (from: String, to: String) {
    guard let sources else { return (from, to) }
    return ("\(from) (\(sources.from))", "\(to) (\(sources.to))")
  }

  public var summary: (changed: Int, balance: Int, tier: Int, badges: Int, onlyBefore: Int, onlyAfter: Int) {
    // Counted in one pass, without copying a change.
    var counts = (changed: members.count, balance: 0, tier: 0, badges: 0, onlyBefore: 0, onlyAfter: 0)
    for i in members.indices {
      if members[i].balanceChanged { counts.balance += 1 }
      if members[i].tierChanged { counts.tier += 1 }
      if members[i].badgesChanged { counts.badges += 1 }
      if members[i].after == nil { counts.onlyBefore += 1 }
      if members[i].before == nil { counts.onlyAfter += 1 }
    }
    return counts
  }

  init(
    from: String, to: String, events: EventCounts, membersCompared: Int, changes: [Change],
    before: [MemberProfile], after: [MemberProfile], fromRules: CompiledRules,
    toRules: CompiledRules,
    topCount: Int
  ) {
    self.from = from
    self.to = to
    self.events = events
    self.membersCompared = membersCompared
    members = changes
    tierDistributions = Self.tierDistributions(before, after, fromRules, toRules)
    balanceHistograms = Self.histograms(before, after)
    var badgeCounts: [String: (Int, Int)] = [:]
    var titles: [String: String] = [:]
    for change in changes {
      for b in change.badgesGained {
        badgeCounts[b.badge, default: (0, 0)].0 += 1
        titles[b.badge] = b.title
      }
      for b in change.badgesLost {
        badgeCounts[b.badge, default: (0, 0)].1 += 1
        titles[b.badge] = titles[b.badge] ?? b.title
      }
    }
    badges = badgeCounts.sorted { $0.key < $1.key }.map {
      BadgeCount(badge: $0.key, title: titles[$0.key] ?? $0.key, newlyEarned: $0.value.0, noLongerEarned: $0.value.1)
    }
    primaryCurrency = toRules.currencyNames.first ?? fromRules.currencyNames.first
    var deltas: [(MemberID, Int64)] = []
    if let c = primaryCurrency { deltas = changes.map { ($0.id, $0.delta(c)) }.filter { $0.1 != 0 } }
    gainers = Array(deltas.filter { $0.1 > 0 }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(topCount))
    losers = Array(deltas.filter { $0.1 < 0 }.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(topCount))
  }

  static func tierDistributions(
    _ before: [MemberProfile], _ after: [MemberProfile], _ a: CompiledRules, _ b: CompiledRules
  ) -> [TierDistribution] {
    let ladders = b.ladderNames + a.ladderNames.filter { !b.ladderNames.contains($0) }
    return ladders.map { ladder in
      func counts(_ members: [MemberProfile]) -> [Int: (String, Int)] {
        var out: [Int: (String, Int)] = [:]
        for m in members {
          guard let tier = m.tiers.first(where: { $0.ladder == ladder }) else { continue }
          out[tier.rank, default: (tier.name ?? "-", 0)].1 += 1
        }
        return out
      }
      let x = counts(before)
      let y = counts(after)
      let ranks = Set(x.keys).union(y.keys).sorted()
      return TierDistribution(
        ladder: ladder,
        rows: ranks.map { ($0, y[$0]?.0 ?? x[$0]?.0 ?? "-", x[$0]?.1 ?? 0, y[$0]?.1 ?? 0) })
    }
  }

  /// Log-scale buckets: below 0, 0, 1–9, 10–99, 100–999, …
  package static func histograms(_ before: [MemberProfile], _ after: [MemberProfile]) -> [BalanceHistogram] {
    var currencies: [String] = []
    for m in before + after {
      for c in m.balances.map(\.currency) where !currencies.contains(c) { currencies.append(c) }
    }
    func bucket(_ v: Int64) -> Int64 {
      if v < 0 { return -1 }
      if v == 0 { return 0 }
      var lower: Int64 = 1
      while lower <= v / 10 { lower *= 10 }
      return lower
    }
    func label(_ lower: Int64) -> String {
      switch lower {
      case -1: return "< 0"
      case 0: return "0"
      default:
        func short(_ n: Int64) -> String { n >= 1_000_000 ? "\(n / 1_000_000)M" : n >= 1000 ? "\(n / 1000)k" : "\(n)" }
        return "\(short(lower))–\(short(lower * 10 - 1))"
      }
    }
    return currencies.map { c in
      var x: [Int64: Int] = [:]
      var y: [Int64: Int] = [:]
      for m in before {
        if let v = m.balances.first(where: { $0.currency == c })?.amount { x[bucket(v), default: 0] += 1 }
      }
      for m in after {
        if let v = m.balances.first(where: { $0.currency == c })?.amount { y[bucket(v), default: 0] += 1 }
      }
      let lowers = Set(x.keys).union(y.keys).sorted()
      return BalanceHistogram(currency: c, buckets: lowers.map { (label($0), $0, x[$0] ?? 0, y[$0] ?? 0) })
    }
  }
}
