import Laurel
import LaurelDiagnostics
import LaurelExpression
import Yams

extension RuleFileParser {
  mutating func parseLadder(_ name: Name, _ node: Node) {
    var currency: Name?
    var ladder = LadderDeclaration(name: name, currency: Name(""))
    for (key, _, value) in reader.mapping(node, "ladder '\(name.text)'", keys: RuleKeys.ladder) ?? [] {
      switch key {
      case "currency": currency = reader.name(value, "currency")
      case "policy":
        if let text = reader.scalar(value, "policy") {
          if let policy = TierPolicy(rawValue: text) {
            ladder.policy = policy
          } else {
            reader.error(
              .invalidValue, "policy must be ratchet (never goes down) or follow (tracks the balance), not '\(text)'",
              value)
          }
        }
      case "segment": ladder.segment = reader.name(value, "segment")
      case "overridable": ladder.overridable = reader.bool(value, "overridable") ?? false
      default:
        guard let tiers = value.sequence else {
          reader.error(.wrongType, "tiers must be a list, e.g. - { name: Rookie, at: 0 }", value)
          continue
        }
        ladder.tiers = tiers.compactMap { parseTier($0, ladder: name.text) }
      }
    }
    guard let currency else { return }
    ladder.currency = currency
    book.ladders.append(ladder)
  }

  private mutating func parseTier(_ node: Node, ladder: String) -> TierDeclaration? {
    var name: Name?
    var threshold: Int64?
    var access: [Name] = []
    var attributes: [(String, String)] = []
    for (key, _, value) in reader.mapping(node, "a tier of '\(ladder)'", keys: RuleKeys.tier) ?? [] {
      switch key {
      case "name": name = reader.name(value, "name")
      case "at": threshold = reader.int(value, "at")
      case "access": access = reader.names(value, "access")
      default:
        for (k, _, v) in reader.mapping(value, "attributes") ?? [] {
          if let text = reader.scalar(v, "attribute '\(k)'") { attributes.append((k, text)) }
        }
      }
    }
    guard let name, let threshold else { return nil }
    var tier = TierDeclaration(name: name, threshold: threshold)
    tier.access = access
    tier.attributes = attributes
    tier.location = reader.location(node)
    return tier
  }

  mutating func parseBadge(_ name: Name, _ node: Node) {
    var badge = BadgeDeclaration(name: name)
    for (key, _, value) in reader.mapping(node, "badge '\(name.text)'", keys: RuleKeys.badge) ?? [] {
      switch key {
      case "title": badge.title = reader.scalar(value, "title")
      case "description": badge.summary = reader.scalar(value, "description")
      case "key": badge.key = reader.expression(value, "key")
      case "when": badge.when = reader.expression(value, "when")
      case "to": badge.to = reader.expression(value, "to")
      default: badge.manual = reader.bool(value, "manual") ?? false
      }
    }
    book.badges.append(badge)
  }

  mutating func parseGate(_ name: Name, _ node: Node) {
    var ladder: Name?
    var message: String?
    for (key, _, value) in reader.mapping(node, "gate '\(name.text)'", keys: RuleKeys.gate) ?? [] {
      if key == "ladder" { ladder = reader.name(value, "ladder") } else { message = reader.scalar(value, "message") }
    }
    guard let ladder else { return }
    var gate = GateDeclaration(name: name, ladder: ladder)
    if let message { gate.message = message }
    book.gates.append(gate)
  }

  mutating func parseLeaderboard(_ name: Name, _ node: Node) {
    var currency: Name?
    var windows: [LeaderboardWindow] = [.allTime]
    for (key, _, value) in reader.mapping(node, "leaderboard '\(name.text)'", keys: RuleKeys.leaderboard) ?? [] {
      if key == "currency" {
        currency = reader.name(value, "currency")
        continue
      }
      windows = []
      for w in reader.names(value, "a window") {
        if w.text == "all" || w.text == "all_time" {
          windows.append(.allTime)
        } else if w.text.hasSuffix("d"), let days = Int(w.text.dropLast()), days > 0 {
          windows.append(.days(days))
        } else {
          reader.error(
            .invalidValue, "a leaderboard window is 'all' or a number of days such as 7d, not '\(w.text)'", nil)
          reader.diagnostics[reader.diagnostics.count - 1].location = w.location
        }
      }
    }
    guard let currency else { return }
    var board = LeaderboardDeclaration(name: name, currency: currency)
    board.windows = windows
    book.leaderboards.append(board)
  }
}
