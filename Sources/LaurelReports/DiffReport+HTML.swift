import Laurel
/// A self-contained HTML rendering of a diff: no network, inline SVG charts
/// of the distributions before and after, and a sortable member table.
extension DiffReport {
  public func html(maxMembers: Int = 5000) -> String {
    let s = summary
    var body = "<h1>What changes from <code>\(esc(title.from))</code> to <code>\(esc(title.to))</code></h1>\n"
    body += "<p class=lead><b>\(s.changed)</b> of \(membersCompared) members change over \(events.read) actions: "
    body += "\(s.balance) balance, \(s.tier) tier, \(s.badges) badges.</p>\n<div class=charts>\n"
    for d in tierDistributions {
      body += chart(
        title: "Tiers on \(d.ladder)", labels: d.rows.map { "\($0.rank) \($0.name)" },
        before: d.rows.map(\.before), after: d.rows.map(\.after))
    }
    for h in balanceHistograms {
      body += chart(
        title: "\(h.currency) balances", labels: h.buckets.map(\.label),
        before: h.buckets.map(\.before), after: h.buckets.map(\.after))
    }
    body += "</div>\n"
    if !badges.isEmpty {
      body += "<h2>Badges</h2><table><tr><th>badge</th><th>newly earned</th><th>no longer earned</th></tr>"
      for b in badges {
        body +=
          "<tr><td title=\"\(esc(b.badge))\">\(esc(b.title))</td><td>\(b.newlyEarned)</td><td>\(b.noLongerEarned)</td></tr>"
      }
      body += "</table>\n"
    }
    if let c = primaryCurrency, !(gainers.isEmpty && losers.isEmpty) {
      body += "<h2>Biggest changes in \(esc(c))</h2><table><tr><th>member</th><th>change</th></tr>"
      for (id, delta) in gainers + losers {
        body += "<tr><td>\(esc(id.description))</td><td class=\(delta > 0 ? "up" : "down")>\(signed(delta))</td></tr>"
      }
      body += "</table>\n"
    }
    body += "<h2>Members (\(members.count))</h2><p class=hint>Click a column to sort.</p>\n"
    body += "<table id=members><thead><tr><th>scope</th><th>user</th>"
    let currencies = (members.first?.after ?? members.first?.before)?.balances.map(\.currency) ?? []
    let ladders = (members.first?.after ?? members.first?.before)?.tiers.map(\.ladder) ?? []
    for c in currencies { body += "<th>\(esc(c)) before</th><th>\(esc(c)) after</th><th>Δ</th>" }
    for l in ladders { body += "<th>\(esc(l)) before</th><th>\(esc(l)) after</th>" }
    body += "<th>badges</th><th>why (by rule)</th></tr></thead><tbody>\n"
    for change in members.prefix(maxMembers) {
      body += "<tr><td>\(esc(change.id.scope ?? ""))</td><td>\(esc(change.id.user))</td>"
      for c in currencies {
        let b = change.before?.balances.first { $0.currency == c }?.amount ?? 0
        let a = change.after?.balances.first { $0.currency == c }?.amount ?? 0
        body += "<td>\(b)</td><td>\(a)</td><td class=\(a > b ? "up" : a < b ? "down" : "")>\(signed(a - b))</td>"
      }
      for l in ladders {
        let b = change.before?.tiers.first { $0.ladder == l }
        let a = change.after?.tiers.first { $0.ladder == l }
        body += "<td data-v=\(b?.rank ?? 0)>\(esc(b.map { "\($0.rank) \($0.name ?? "")" } ?? "-"))</td>"
        body += "<td data-v=\(a?.rank ?? 0)>\(esc(a.map { "\($0.rank) \($0.name ?? "")" } ?? "-"))</td>"
      }
      let gained = change.badgesGained.map { "+" + $0.displayName }
      let lost = change.badgesLost.map { "−" + $0.displayName }
      body += "<td>\(esc((gained + lost).joined(separator: ", ")))</td>"
      body += "<td>\(esc(change.byRule.map { "\($0.rule) \(signed($0.delta))" }.joined(separator: ", ")))</td></tr>\n"
    }
    body += "</tbody></table>\n"
    if members.count > maxMembers { body += "<p class=hint>\(members.count - maxMembers) more in the JSON report.</p>" }
    return Self.page(title: "Laurel diff: \(title.from) → \(title.to)", body: body)
  }

  /// A grouped bar chart: grey bars before, green bars after.
  private func chart(title: String, labels: [String], before: [Int], after: [Int]) -> String {
    let width = max(320, labels.count * 56 + 60)
    let height = 220
    let top = max(1, (before + after).max() ?? 1)
    var svg = "<figure><figcaption>\(esc(title))</figcaption>"
    svg += "<svg width='\(width)' height='\(height)' role='img' aria-label='\(esc(title))'>"
    svg += "<line x1='40' y1='180' x2='\(width - 10)' y2='180' stroke='#999'/>"
    for (i, label) in labels.enumerated() {
      let x = 50 + i * 56
      let hb = before[i] * 150 / top
      let ha = after[i] * 150 / top
      svg +=
        "<rect x='\(x)' y='\(180 - hb)' width='20' height='\(hb)' fill='#b8b8b8'><title>before: \(before[i])</title></rect>"
      svg +=
        "<rect x='\(x + 22)' y='\(180 - ha)' width='20' height='\(ha)' fill='#2e8b57'><title>after: \(after[i])</title></rect>"
      svg += "<text x='\(x + 21)' y='196' font-size='10' text-anchor='middle'>\(esc(String(label.prefix(10))))</text>"
      svg +=
        "<text x='\(x + 21)' y='\(max(12, 176 - max(hb, ha)))' font-size='9' text-anchor='middle'>\(after[i] - before[i] == 0 ? "" : signed(Int64(after[i] - before[i])))</text>"
    }
    svg +=
      "<rect x='\(width - 150)' y='6' width='10' height='10' fill='#b8b8b8'/><text x='\(width - 136)' y='15' font-size='11'>before</text>"
    svg +=
      "<rect x='\(width - 85)' y='6' width='10' height='10' fill='#2e8b57'/><text x='\(width - 71)' y='15' font-size='11'>after</text>"
    return svg + "</svg></figure>\n"
  }

  static func page(title: String, body: String) -> String {
    """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>\(esc(title))</title>
    <style>
    body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#222;max-width:1200px}
    h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:2rem} code{background:#f3f3f3;padding:0 .3em}
    .lead{font-size:1.05rem} .hint{color:#777;font-size:.85rem}
    .charts{display:flex;flex-wrap:wrap;gap:1.5rem} figure{margin:0} figcaption{font-weight:600;margin-bottom:.3rem}
    table{border-collapse:collapse;margin:.5rem 0} th,td{border-bottom:1px solid #e5e5e5;padding:.25rem .6rem;text-align:left}
    th{cursor:pointer;background:#fafafa;position:sticky;top:0} .up{color:#1d7a46} .down{color:#b3261e}
    </style></head><body>
    \(body)
    <script>
    document.querySelectorAll('table#members th').forEach(function(th, col){
      th.addEventListener('click', function(){
        var tbody = th.closest('table').tBodies[0];
        var rows = Array.prototype.slice.call(tbody.rows);
        var asc = th.dataset.dir !== 'asc'; th.dataset.dir = asc ? 'asc' : 'desc';
        function key(r){ var c = r.cells[col]; var v = c.dataset.v !== undefined ? c.dataset.v : c.textContent.replace('−','-').replace('+','');
          var n = parseFloat(v); return isNaN(n) ? v : n; }
        rows.sort(function(a,b){ var x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); });
        rows.forEach(function(r){ tbody.appendChild(r); });
      });
    });
    </script>
    </body></html>

    """
  }
}

func esc(_ s: String) -> String {
  var out = ""
  for c in s {
    switch c {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&#39;"
    default: out.append(c)
    }
  }
  return out
}
