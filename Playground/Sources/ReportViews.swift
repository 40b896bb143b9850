import Laurel
import LaurelExpression
import LaurelReplay
import LaurelReports

/// A member's profile as a table row.
extension MemberRow {
  init(_ profile: MemberProfile) {
    scope = profile.member.scope
    user = profile.member.user
    balances = Dictionary(profile.balances.map { ($0.currency, $0.amount) }, uniquingKeysWith: { a, _ in a })
    tiers = Dictionary(profile.tiers.map { ($0.ladder, $0.name ?? "-") }, uniquingKeysWith: { a, _ in a })
    badges = profile.badges.map(\.displayName)
  }
}

/// Filtering, sorting and paging of member tables.
enum MemberTable {
  /// Rows whose scope or user contains `search` (case-insensitive).
  static func matches(_ search: String?, scope: String?, user: String) -> Bool {
    guard let search = search?.lowercased(), !search.isEmpty else { return true }
    return user.lowercased().contains(search) || (scope?.lowercased().contains(search) ?? false)
  }

  static func page<T>(_ rows: [T], _ query: TableQuery) -> [T] {
    let start = min(rows.count, query.pageIndex * query.pageSize)
    return Array(rows[start..<min(rows.count, start + query.pageSize)])
  }
}

/// `laurel simulate`'s report as the page shows it.
struct SimulationView {
  let simulation: Simulation
  /// The simulation's profiles, sorted by member (``Simulation/report()``'s).
  let profiles: [MemberProfile]

  func response(query: TableQuery) -> SimulateResponse {
    let rules = simulation.rules
    // Indices are filtered and sorted, and rows built for one page only.
    var order = profiles.indices.filter {
      MemberTable.matches(query.search, scope: profiles[$0].member.scope, user: profiles[$0].member.user)
    }
    let sort = query.sort ?? "member"
    let descending = query.descending ?? false
    if sort == "member" {
      if descending { order.reverse() }
    } else {
      let keys: [Int64] = profiles.map { profile in
        if sort == "badges" { return Int64(profile.badges.count) }
        if let balance = profile.balances.first(where: { $0.currency == sort }) { return balance.amount }
        return Int64(profile.tiers.first { $0.ladder == sort }?.rank ?? 0)
      }
      order.sort { a, b in keys[a] != keys[b] ? (descending ? keys[a] > keys[b] : keys[a] < keys[b]) : a < b }
    }
    var tierCharts: [Chart] = []
    for ladder in rules.ladderNames {
      var counts: [Int: (String, Int)] = [:]
      for profile in profiles {
        guard let tier = profile.tiers.first(where: { $0.ladder == ladder }) else { continue }
        counts[tier.rank, default: (tier.name ?? "-", 0)].1 += 1
      }
      tierCharts.append(
        Chart(
          title: ladder,
          bars: counts.sorted { $0.key < $1.key }.map { Bar(label: $0.value.0, members: $0.value.1) }))
    }
    var badgeCounts: [String: Int] = [:]
    for profile in profiles { for badge in profile.badges { badgeCounts[badge.title, default: 0] += 1 } }
    return SimulateResponse(
      milliseconds: 0, history: HistoryInfo(id: "", name: "", kind: "", bytes: 0, lines: 0),
      counts: Counts(simulation.counts),
      rejections: simulation.rejections.map { Rejection(line: $0.line, reason: $0.error.description) },
      currencies: rules.currencyNames, ladders: rules.ladderNames, tiers: tierCharts,
      balances: DiffReport.histograms(profiles, []).map { histogram in
        Chart(title: histogram.currency, bars: histogram.buckets.map { Bar(label: $0.label, members: $0.before) })
      },
      badges: [
        Chart(
          title: "badges", bars: badgeCounts.sorted { $0.key < $1.key }.map { Bar(label: $0.key, members: $0.value) })
      ],
      total: order.count, members: MemberTable.page(order, query).map { MemberRow(profiles[$0]) })
  }
}

/// `laurel diff`'s report as the page shows it.
struct DiffView {
  let report: DiffReport
  let rules: CompiledRules

  func response(query: TableQuery) -> DiffResponse {
    let currency = report.primaryCurrency
    // Indices, not changes, are filtered and sorted: a change holds two
    // profiles, and moving tens of thousands of them costs more than the replay.
    let changes = report.members
    let deltas = changes.map { change in currency.map(change.delta) ?? 0 }
    var order = changes.indices.filter {
      MemberTable.matches(query.search, scope: changes[$0].id.scope, user: changes[$0].id.user)
    }
    let descending = query.descending ?? true
    switch query.sort ?? "delta" {
    case "member": if descending { order.reverse() }
    default:
      order.sort { a, b in
        if deltas[a] != deltas[b] { return descending ? deltas[a] > deltas[b] : deltas[a] < deltas[b] }
        return a < b  // members are in id order
      }
    }
    let rows = MemberTable.page(order, query).map { i in
      let change = changes[i]
      return ChangeRow(
        scope: change.id.scope, user: change.id.user, before: change.before.map(MemberRow.init),
        after: change.after.map(MemberRow.init), delta: deltas[i],
        byRule: change.byRule.map { RuleDelta(rule: $0.rule, delta: $0.delta) },
        badgesGained: change.badgesGained.map(\.displayName), badgesLost: change.badgesLost.map(\.displayName))
    }
    let s = report.summary
    return DiffResponse(
      milliseconds: 0, against: "", history: HistoryInfo(id: "", name: "", kind: "", bytes: 0, lines: 0),
      counts: Counts(report.events),
      summary: DiffSummary(
        membersCompared: report.membersCompared, membersChanged: s.changed, balanceChanged: s.balance,
        tierChanged: s.tier, badgesChanged: s.badges, onlyBefore: s.onlyBefore, onlyAfter: s.onlyAfter),
      currency: currency,
      tiers: report.tierDistributions.map { d in
        Chart(title: d.ladder, bars: d.rows.map { Bar(label: $0.name, before: $0.before, members: $0.after) })
      },
      balances: report.balanceHistograms.map { h in
        Chart(title: h.currency, bars: h.buckets.map { Bar(label: $0.label, before: $0.before, members: $0.after) })
      },
      badges: report.badges.map {
        BadgeCountRow(badge: $0.badge, newlyEarned: $0.newlyEarned, noLongerEarned: $0.noLongerEarned)
      },
      gainers: report.gainers.map { Mover(scope: $0.0.scope, user: $0.0.user, delta: $0.1) },
      losers: report.losers.map { Mover(scope: $0.0.scope, user: $0.0.user, delta: $0.1) },
      total: order.count, members: rows)
  }
}

/// One member's ledger, tier steps and badges under one rule set, from a
/// replay that keeps each action's outcome.
struct MemberInspector {
  let rules: CompiledRules
  let member: MemberID
  var limit = 2000

  func timeline(path: String) throws(PlaygroundError) -> MemberTimeline {
    var simulation = Simulation(rules: rules)
    var timeline = MemberTimeline(member: nil, entries: [], steps: [], badges: [], omitted: 0)
    do {
      var batches = try HistoryBatches(path: path, rules: rules)
      while let batch = try batches.next() {
        let (actions, lines) = batch.decoded
        for (action, line) in zip(actions, lines) {
          simulation.apply(action, line: line)
          let outcome = simulation.lastOutcome
          let type = action.type
          for entry in outcome.ledger where entry.member == member {
            guard timeline.entries.count < limit else {
              timeline.omitted += 1
              continue
            }
            timeline.entries.append(
              .init(
                at: entry.at.description, action: "\(outcome.actionID) (\(type))", rule: entry.rule,
                currency: entry.currency, amount: entry.amount, balance: entry.balance))
          }
          for step in outcome.tierChanges where step.member == member {
            timeline.steps.append(
              .init(
                at: action.at.description, action: outcome.actionID, ladder: step.ladder, from: step.from,
                to: step.to, name: step.name))
          }
          for award in outcome.badges where award.member == member {
            timeline.badges.append(.init(at: award.at.description, badge: award.badge, key: award.key))
          }
        }
      }
    } catch {
      throw .badRequest("cannot replay the history: \(error)", code: "HISTORY")
    }
    timeline.member = simulation.profile(of: member).map(MemberRow.init)
    return timeline
  }
}
