import Laurel
/// The terminal rendering of a diff, readable at 100 columns.
extension DiffReport {
  public func table(maxMembers: Int = 30) -> String {
    let s = summary
    var out = "diff \(title.from) -> \(title.to) over \(events.read) actions\n"
    out += "\(s.changed) of \(membersCompared) members change: \(s.balance) balance, \(s.tier) tier, \(s.badges) badges"
    if s.onlyBefore + s.onlyAfter > 0 { out += " (\(s.onlyBefore) only before, \(s.onlyAfter) only after)" }
    out += "\n"
    for d in tierDistributions {
      let totalBefore = max(1, d.rows.reduce(0) { $0 + $1.before })
      let totalAfter = max(1, d.rows.reduce(0) { $0 + $1.after })
      out += "\ntiers on \(d.ladder)\n"
      var rows = [["rank", "tier", "before", "%", "after", "%", "change"]]
      for r in d.rows {
        rows.append([
          "\(r.rank)", r.name, "\(r.before)", percent(r.before, totalBefore), "\(r.after)",
          percent(r.after, totalAfter),
          signed(Int64(r.after - r.before)),
        ])
      }
      out += TextTable.render(rows)
    }
    for h in balanceHistograms {
      out += "\n\(h.currency) balances\n"
      out += TextTable.render(
        [["bucket", "before", "after", "change"]]
          + h.buckets.map {
            [$0.label, "\($0.before)", "\($0.after)", signed(Int64($0.after - $0.before))]
          })
    }
    if !badges.isEmpty {
      out += "\nbadges\n"
      out += TextTable.render(
        [["badge", "newly earned", "no longer earned"]]
          + badges.map {
            [$0.title, "\($0.newlyEarned)", "\($0.noLongerEarned)"]
          })
    }
    if let currency = primaryCurrency, !(gainers.isEmpty && losers.isEmpty) {
      out += "\nbiggest changes in \(currency)\n"
      out += TextTable.render([["member", "change"]] + (gainers + losers).map { [$0.0.description, signed($0.1)] })
    }
    if !members.isEmpty {
      out += "\nmembers (first \(min(maxMembers, members.count)) of \(members.count); --format json lists all)\n"
      var rows = [["member", "before", "after", "why (by rule)"]]
      for change in members.prefix(maxMembers) {
        rows.append([
          change.id.description, Self.brief(change.before), Self.brief(change.after),
          String(change.byRule.map { "\($0.rule) \(signed($0.delta))" }.joined(separator: ", ").prefix(40)),
        ])
      }
      out += TextTable.render(rows)
    }
    return out
  }

  static func brief(_ m: MemberProfile?) -> String {
    guard let m else { return "-" }
    let balances = m.balances.map { "\($0.amount)" }.joined(separator: "/")
    let tiers = m.tiers.map { "L\($0.rank)" }.joined(separator: "/")
    let badges = m.badges.isEmpty ? "" : " \(m.badges.count)b"
    return String((balances + (tiers.isEmpty ? "" : " " + tiers) + badges).prefix(20))
  }
}

func signed(_ n: Int64) -> String { n > 0 ? "+\(n)" : n < 0 ? "−\(-n)" : "0" }

func percent(_ part: Int, _ total: Int) -> String {
  let tenths = (part * 1000 + total / 2) / max(total, 1)
  return "\(tenths / 10).\(tenths % 10)%"
}
