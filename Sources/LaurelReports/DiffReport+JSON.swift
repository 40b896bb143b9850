import Laurel
/// The documented, stable JSON form of a diff (schemas/diff-report.schema.json).
extension DiffReport {
  public func json() -> String {
    let s = summary
    var out = "{\"from\":\(JSON.quote(from)),\"to\":\(JSON.quote(to)),\n"
    out += "\"events\":\(events.json),\n"
    out += "\"summary\":{\"members_compared\":\(membersCompared),\"members_changed\":\(s.changed),"
    out += "\"balance_changed\":\(s.balance),\"tier_changed\":\(s.tier),\"badges_changed\":\(s.badges),"
    out += "\"only_before\":\(s.onlyBefore),\"only_after\":\(s.onlyAfter)},\n"
    out +=
      "\"tier_distributions\":{"
      + tierDistributions.map { d in
        JSON.quote(d.ladder) + ":["
          + d.rows.map {
            "{\"rank\":\($0.rank),\"name\":\(JSON.quote($0.name)),\"before\":\($0.before),\"after\":\($0.after)}"
          }.joined(separator: ",") + "]"
      }.joined(separator: ",") + "},\n"
    out +=
      "\"balance_histograms\":{"
      + balanceHistograms.map { h in
        JSON.quote(h.currency) + ":["
          + h.buckets.map {
            "{\"bucket\":\(JSON.quote($0.label)),\"lower\":\($0.lower),\"before\":\($0.before),\"after\":\($0.after)}"
          }.joined(separator: ",") + "]"
      }.joined(separator: ",") + "},\n"
    out +=
      "\"badges\":["
      + badges.map {
        "{\"badge\":\(JSON.quote($0.badge)),\"newly_earned\":\($0.newlyEarned),\"no_longer_earned\":\($0.noLongerEarned)}"
      }.joined(separator: ",") + "],\n"
    func movers(_ list: [(MemberID, Int64)]) -> String {
      "["
        + list.map { id, delta in
          "{\"scope\":\(id.scope.map(JSON.quote) ?? "null"),\"user\":\(JSON.quote(id.user)),\"currency\":\(JSON.quote(primaryCurrency ?? "")),\"delta\":\(delta)}"
        }.joined(separator: ",") + "]"
    }
    out += "\"gainers\":\(movers(gainers)),\n\"losers\":\(movers(losers)),\n"
    out += "\"members\":["
    for (i, change) in members.enumerated() {
      out += i == 0 ? "\n" : ",\n"
      out += "{\"scope\":\(change.id.scope.map(JSON.quote) ?? "null"),\"user\":\(JSON.quote(change.id.user)),"
      out += "\"before\":\(change.before.map(SimulationReport.json) ?? "null"),"
      out += "\"after\":\(change.after.map(SimulationReport.json) ?? "null"),"
      out += "\"by_rule\":{" + change.byRule.map { "\(JSON.quote($0.rule)):\($0.delta)" }.joined(separator: ",") + "}}"
    }
    out += "]}\n"
    return out
  }
}
