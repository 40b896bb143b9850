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
    out += "\"notifications\":{\"points_awarded\":\(notifications.pointsAwarded),"
    out += "\"points_deducted\":\(notifications.pointsDeducted),\"leveled_up\":\(notifications.leveledUp),"
    out += "\"leveled_down\":\(notifications.leveledDown),\"badge_earned\":\(notifications.badgeEarned)},\n"
    out += "\"members\":["
    for (i, m) in members.enumerated() {
      out += i == 0 ? "\n" : ",\n"
      out += Self.json(m)
    }
    out += "]}\n"
    return out
  }

  /// One member as the report's JSON object (the profile `laurel show` prints).
  public static func json(_ m: Member) -> String {
    var out = "{\"scope\":\(m.id.scope.map(JSON.quote) ?? "null"),\"user\":\(JSON.quote(m.id.user)),"
    out += "\"balances\":{" + m.balances.map { "\(JSON.quote($0.0)):\($0.1)" }.joined(separator: ",") + "},"
    out +=
      "\"tiers\":{"
      + m.tiers.map { name, tier in
        "\(JSON.quote(name)):{\"rank\":\(tier.rank),\"name\":\(tier.name.map(JSON.quote) ?? "null")}"
      }.joined(separator: ",") + "},"
    out +=
      "\"badges\":["
      + m.badges.map { b in
        "{\"badge\":\(JSON.quote(b.badge)),\"key\":\(b.key.map(JSON.quote) ?? "null"),\"at\":\(JSON.quote(b.at.description))}"
      }.joined(separator: ",") + "],"
    out +=
      "\"counters\":{"
      + m.counters.map { name, value in
        switch value {
        case .total(let n): return "\(JSON.quote(name)):\(n)"
        case .byKey(let pairs):
          return "\(JSON.quote(name)):{" + pairs.map { "\(JSON.quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
        }
      }.joined(separator: ",") + "}"
    if !m.progress.isEmpty {
      out +=
        ",\"progress\":{"
        + m.progress.map { name, entries in
          "\(JSON.quote(name)):{" + entries.map { "\(JSON.quote($0.0)):\(JSON.quote($0.1))" }.joined(separator: ",")
            + "}"
        }.joined(separator: ",") + "}"
    }
    if !m.streaks.isEmpty {
      out += ",\"streaks\":{" + m.streaks.map { "\(JSON.quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
    return out + "}"
  }

  /// A table for people: totals, then one row per member.
  public func table(maxMembers: Int = 50) -> String {
    var out = "scheme \(scheme)\n"
    out += "events: \(events.read) read, \(events.applied) applied, \(events.duplicates) duplicates, "
    out += "\(events.ignored) ignored, \(events.rejected) rejected\n"
    out += "notifications: \(notifications.pointsAwarded) points awarded, \(notifications.pointsDeducted) deducted, "
    out += "\(notifications.leveledUp) level steps up, \(notifications.badgeEarned) badges earned\n"
    out += "members: \(members.count)\n\n"
    var header = (scoped ? ["scope"] : []) + ["user"]
    if let first = members.first {
      header += first.balances.map(\.0) + first.tiers.map(\.0) + ["badges"]
    }
    var rows = [header]
    for m in members.prefix(maxMembers) {
      var row = (scoped ? [m.id.scope ?? ""] : []) + [m.id.user]
      row += m.balances.map { String($0.1) }
      row += m.tiers.map { "\($0.1.rank) \($0.1.name ?? "-")" }
      row.append(
        m.badges.isEmpty
          ? "-" : m.badges.map { b in b.key.map { "\(b.badge)[\($0)]" } ?? b.badge }.joined(separator: " "))
      rows.append(row)
    }
    out += TextTable.render(rows)
    if members.count > maxMembers { out += "... and \(members.count - maxMembers) more (use --format json for all)\n" }
    return out
  }
}

/// JSON string quoting, shared by every JSON the package writes.
package enum JSON {
  package static func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
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
