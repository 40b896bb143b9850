import Laurel
import LaurelDiagnostics
import LaurelExpression
import Yams

extension RuleFileParser {
  /// `type: [rules]` (or a single rule mapping).
  mutating func parseAction(_ type: Name, _ node: Node) {
    let ruleNodes: [Node]
    if let sequence = node.sequence {
      ruleNodes = Array(sequence)
    } else if node.mapping != nil {
      ruleNodes = [node]
    } else {
      reader.error(
        .wrongType, "action '\(type.text)' needs a rule or a list of rules, not \(reader.describe(node))", node)
      return
    }
    if ruleNodes.isEmpty { reader.error(.missingKey, "action '\(type.text)' has no rules", node) }
    var rules: [RuleDeclaration] = []
    for (i, ruleNode) in ruleNodes.enumerated() {
      let defaultID = ruleNodes.count == 1 ? type.text : "\(type.text)#\(i + 1)"
      if let rule = parseRule(ruleNode, defaultID: Name(defaultID, at: reader.location(ruleNode)), action: type.text) {
        rules.append(rule)
      }
    }
    book.actions.append(ActionDeclaration(type: type, rules: rules))
  }

  private mutating func parseRule(_ node: Node, defaultID: Name, action: String) -> RuleDeclaration? {
    let what = "a rule of '\(action)'"
    guard let pairs = reader.mapping(node, what, keys: RuleKeys.rule) else { return nil }
    var rule = RuleDeclaration(id: defaultID)
    rule.location = reader.location(node)
    for (key, _, value) in pairs {
      switch key {
      case "id": if let id = reader.name(value, "id") { rule.id = id }
      case "description": _ = reader.scalar(value, "description")
      case "when": rule.when = reader.expression(value, "when")
      case "award": rule.amounts += amounts(value, "award", deduction: false)
      case "deduct": rule.amounts += amounts(value, "deduct", deduction: true)
      case "to": rule.recipient = reader.expression(value, "to")
      case "once_per": rule.oncePer = reader.expression(value, "once_per")
      case "cooldown":
        if let text = reader.scalar(value, "cooldown") {
          do { rule.cooldown = try CELDuration(parsing: text) } catch {
            reader.error(.invalidValue, "cooldown must be a duration such as 30s, 10m or 1h, not '\(text)'", value)
          }
        }
      case "count": rule.counts = counts(value)
      case "progress":
        for (_, k, v) in reader.mapping(value, "progress") ?? [] {
          if let p = reader.name(k, "progress"), let state = reader.name(v, "state") {
            rule.progress.append(ProgressUpdateDeclaration(progress: p, state: state))
          }
        }
      case "from": rule.from = reader.timestamp(value, "from")
      case "until": rule.until = reader.timestamp(value, "until")
      default: reader.error(.unknownKey, "key '\(key)' is declared but not handled in rules", value)
      }
    }
    return rule
  }

  mutating func amounts(_ node: Node, _ what: String, deduction: Bool) -> [AmountDeclaration] {
    var result: [AmountDeclaration] = []
    for (_, keyNode, value) in reader.mapping(node, what) ?? [] {
      guard let currency = reader.name(keyNode, "a currency"), let amount = reader.expression(value, "an amount") else {
        continue
      }
      result.append(AmountDeclaration(currency: currency, amount: amount, isDeduction: deduction))
    }
    return result
  }

  private mutating func counts(_ node: Node) -> [CountDeclaration] {
    if node.mapping != nil {
      return (reader.mapping(node, "count") ?? []).compactMap { _, k, v in
        reader.name(k, "a counter").map { CountDeclaration(counter: $0, amount: reader.expression(v, "a count")) }
      }
    }
    return reader.names(node, "a counter").map { CountDeclaration(counter: $0) }
  }

  mutating func parseBonus(_ name: Name, _ node: Node) {
    var bonus = BonusDeclaration(name: name)
    for (key, _, value) in reader.mapping(node, "bonus '\(name.text)'", keys: RuleKeys.bonus) ?? [] {
      switch key {
      case "every": bonus.every = reader.window(value, "every") ?? .day
      case "award": bonus.amounts = amounts(value, "award", deduction: false)
      default: bonus.on = reader.names(value, "an action type")
      }
    }
    book.bonuses.append(bonus)
  }

  mutating func parseCap(_ name: Name, _ node: Node) {
    var currency: Name?
    var max: Int64?
    var per: TimeWindow?
    var rules: [Name] = []
    var exempt: [Name] = []
    var net = false
    for (key, _, value) in reader.mapping(node, "cap '\(name.text)'", keys: RuleKeys.cap) ?? [] {
      switch key {
      case "currency": currency = reader.name(value, "currency")
      case "max": max = reader.int(value, "max")
      case "per": per = reader.window(value, "per")
      case "rules": rules = reader.names(value, "a rule id")
      case "net": net = reader.bool(value, "net") ?? false
      default: exempt = reader.names(value, "a rule id")
      }
    }
    guard let currency, let max, let per else { return }
    var cap = CapDeclaration(name: name, currency: currency, max: max, per: per)
    cap.rules = rules
    cap.exempt = exempt
    cap.net = net
    book.caps.append(cap)
  }
}
