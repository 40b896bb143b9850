public import Laurel
import LaurelExpression

extension EventCounts {
  /// `{"read":…,"applied":…,"duplicates":…,"ignored":…,"rejected":…}`.
  var json: String {
    "{\"read\":\(read),\"applied\":\(applied),\"duplicates\":\(duplicates),\"ignored\":\(ignored),\"rejected\":\(rejected)}"
  }
}

/// JSON and table renderings of a simulation report.
extension SimulationReport {
  /// The documented JSON report: one line per member inside `members`, keys
  /// in a fixed order, so the same inputs give byte-identical output.
  public func json() -> String {
    var out = "{\"scheme\":\(JSON.quote(scheme)),\n"
    out += "\"events\":\(events.json),\n"
    out += "\"notifications\":{\"points_awarded\":\(memberEvents.pointsAwarded),"
    out += "\"points_deducted\":\(memberEvents.pointsDeducted),\"leveled_up\":\(memberEvents.leveledUp),"
    out += "\"leveled_down\":\(memberEvents.leveledDown),\"badge_earned\":\(memberEvents.badgeEarned)},\n"
    out += "\"members\":["
    for (i, m) in members.enumerated() {
      out += i == 0 ? "\n" : ",\n"
      out += Self.json(m)
    }
    out += "]}\n"
    return out
  }

  /// One member as the report's JSON object (the profile `laurel show` prints).
  public static func json(_ m: MemberProfile) -> String {
    var out = "{\"scope\":\(m.member.scope.map(JSON.quote) ?? "null"),\"user\":\(JSON.quote(m.member.user)),"
    out += "\"balances\":{" + m.balances.map { "\(JSON.quote($0.currency)):\($0.amount)" }.joined(separator: ",") + "},"
    out +=
      "\"tiers\":{"
      + m.tiers.map { tier in
        "\(JSON.quote(tier.ladder)):{\"rank\":\(tier.rank),\"name\":\(tier.name.map(JSON.quote) ?? "null")}"
      }.joined(separator: ",") + "},"
    out +=
      "\"badges\":["
      + m.badges.map { b in
        "{\"badge\":\(JSON.quote(b.badge)),\"key\":\(b.key.map(JSON.quote) ?? "null"),\"at\":\(JSON.quote(b.earnedAt.description))}"
      }.joined(separator: ",") + "],"
    out +=
      "\"counters\":{"
      + m.counters.map { counter in
        guard counter.isKeyed else { return "\(JSON.quote(counter.name)):\(counter.total)" }
        return "\(JSON.quote(counter.name)):{"
          + counter.byKey.map { "\(JSON.quote($0.key)):\($0.count)" }.joined(separator: ",") + "}"
      }.joined(separator: ",") + "}"
    let windows = m.counters.compactMap { c in c.window.map { "\(JSON.quote(c.name)):\(JSON.quote($0))" } }
    if !windows.isEmpty { out += ",\"counter_windows\":{" + windows.joined(separator: ",") + "}" }
    if !m.progress.isEmpty {
      out +=
        ",\"progress\":{"
        + m.progress.map { progress in
          "\(JSON.quote(progress.name)):{"
            + progress.items.map { "\(JSON.quote($0.key)):\(JSON.quote($0.state))" }.joined(separator: ",") + "}"
        }.joined(separator: ",") + "}"
    }
    if !m.streaks.isEmpty {
      out += ",\"streaks\":{" + m.streaks.map { "\(JSON.quote($0.name)):\($0.current)" }.joined(separator: ",") + "}"
    }
    return out + "}"
  }

  /// A table for people: totals, then one row per member.
  public func table(maxMembers: Int = 50) -> String {
    var out = "scheme \(scheme)\n"
    out += "events: \(events.read) read, \(events.applied) applied, \(events.duplicates) duplicates, "
    out += "\(events.ignored) ignored, \(events.rejected) rejected\n"
    out += "notifications: \(memberEvents.pointsAwarded) points awarded, \(memberEvents.pointsDeducted) deducted, "
    out += "\(memberEvents.leveledUp) level steps up, \(memberEvents.badgeEarned) badges earned\n"
    out += "members: \(members.count)\n\n"
    var header = (scoped ? ["scope"] : []) + ["user"]
    if let first = members.first {
      header += first.balances.map(\.currency) + first.tiers.map(\.ladder) + ["badges"]
    }
    var rows = [header]
    for m in members.prefix(maxMembers) {
      var row = (scoped ? [m.member.scope ?? ""] : []) + [m.member.user]
      row += m.balances.map { String($0.amount) }
      row += m.tiers.map { "\($0.rank) \($0.name ?? "-")" }
      row.append(m.badges.isEmpty ? "-" : m.badges.map(\.displayName).joined(separator: ", "))
      rows.append(row)
    }
    out += TextTable.render(rows)
    if members.count > maxMembers { out += "... and \(members.count - maxMembers) more (use --format json for all)\n" }
    return out
  }
}

/// Left-aligned text columns.
enum TextTable {
  static func render(_ rows: [[String]]) -> String {
    guard let columns = rows.map(\.count).max() else { return "" }
    var widths = Array(repeating: 0, count: columns)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    return rows.map { row in
      row.enumerated().map { i, cell in
        i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
      }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
  }
}

extension MemberProfile.Badge {
  /// The badge as people read it: its title, and the key it was earned for
  /// ("Module Expert Contributor (m1)").
  public var displayName: String { key.map { "\(title) (\($0))" } ?? title }
}
