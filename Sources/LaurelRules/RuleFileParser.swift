import Laurel
import LaurelDiagnostics
import LaurelExpression
import Yams

/// Turns one rule file's YAML tree into sections of a ``RuleBook``.
struct RuleFileParser {
  var reader: YAMLReader
  var book: RuleBook

  init(reader: YAMLReader, book: RuleBook) {
    self.reader = reader
    self.book = book
  }

  mutating func parse(_ root: Node) {
    guard let pairs = reader.mapping(root, "a rule file", keys: RuleKeys.top) else { return }
    for (key, keyNode, value) in pairs {
      switch key {
      case "scheme":
        if let name = reader.name(value, "scheme") {
          if !book.scheme.text.isEmpty && book.scheme.text != name.text {
            reader.error(
              .duplicate, "scheme '\(name.text)' differs from '\(book.scheme.text)' declared in another file", value)
          }
          book.scheme = name
        }
      case "description": book.summary = reader.scalar(value, "description")
      case "members":
        for (k, _, v) in reader.mapping(value, "members", keys: RuleKeys.members) ?? [] where k == "scope" {
          book.scope = reader.expression(v, "members.scope")
        }
      case "time_zone": if let tz = reader.name(value, "time_zone") { book.timeZone = tz }
      case "fields": parseFields(value)
      case "let":
        each(value, "let") { p, name, v in
          if let e = p.reader.expression(v, "let '\(name.text)'") {
            p.book.namedValues.append(NamedValueDeclaration(name: name, expression: e))
          }
        }
      case "objects":
        each(value, "objects") { p, name, v in
          if let e = p.reader.expression(v, "object '\(name.text)'") {
            p.book.objects.append(ObjectDeclaration(name: name, key: e))
          }
        }
      case "traits": each(value, "traits") { p, name, v in p.parseTrait(name, v) }
      case "currencies": each(value, "currencies") { p, name, v in p.parseCurrency(name, v) }
      case "counters": each(value, "counters") { p, name, v in p.parseCounter(name, v) }
      case "progress": each(value, "progress") { p, name, v in p.parseProgress(name, v) }
      case "streaks": each(value, "streaks") { p, name, v in p.parseStreak(name, v) }
      case "actions": each(value, "actions") { p, name, v in p.parseAction(name, v) }
      case "bonuses": each(value, "bonuses") { p, name, v in p.parseBonus(name, v) }
      case "caps": each(value, "caps") { p, name, v in p.parseCap(name, v) }
      case "ladders": each(value, "ladders") { p, name, v in p.parseLadder(name, v) }
      case "badges": each(value, "badges") { p, name, v in p.parseBadge(name, v) }
      case "gates": each(value, "gates") { p, name, v in p.parseGate(name, v) }
      case "leaderboards": each(value, "leaderboards") { p, name, v in p.parseLeaderboard(name, v) }
      default: reader.error(.unknownKey, "unknown key '\(key)'", keyNode)
      }
    }
  }

  /// Calls `body` for each `name: value` entry of a section.
  private mutating func each(_ node: Node, _ what: String, _ body: (inout RuleFileParser, Name, Node) -> Void) {
    for (_, keyNode, value) in reader.mapping(node, what) ?? [] {
      guard let name = reader.name(keyNode, "a name in \(what)") else { continue }
      guard Self.isIdentifier(name.text) else {
        reader.error(
          .invalidValue,
          "'\(name.text)' is not a valid name in \(what): use letters, digits and _ (starting with a letter)", keyNode)
        continue
      }
      body(&self, name, value)
    }
  }

  static func isIdentifier(_ s: String) -> Bool {
    guard let first = s.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
    return s.unicodeScalars.allSatisfy {
      $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_")
    }
  }

  private mutating func parseFields(_ node: Node) {
    each(node, "fields") { p, name, value in
      guard let text = p.reader.scalar(value, "the type of field '\(name.text)'") else { return }
      guard let type = ExprType(parsing: text) else {
        p.reader.error(
          .invalidValue,
          "unknown type '\(text)' for field '\(name.text)'; use string, int, double, bool, timestamp, duration, list(string) or map(string, int)",
          value)
        return
      }
      p.book.fields.append(FieldDeclaration(name: name, type: type))
    }
  }

  private mutating func parseTrait(_ name: Name, _ node: Node) {
    var trait = TraitDeclaration(name: name)
    for (key, _, value) in reader.mapping(node, "trait '\(name.text)'", keys: RuleKeys.trait) ?? [] {
      switch key {
      case "values": trait.values = reader.names(value, "a value of trait '\(name.text)'")
      default: trait.defaultValue = reader.name(value, "the default of trait '\(name.text)'")
      }
    }
    book.traits.append(trait)
  }

  private mutating func parseCurrency(_ name: Name, _ node: Node) {
    var currency = CurrencyDeclaration(name: name)
    if node.scalar?.string.isEmpty == true {
      book.currencies.append(currency)
      return
    }
    for (key, _, value) in reader.mapping(node, "currency '\(name.text)'", keys: RuleKeys.currency) ?? [] {
      switch key {
      case "start": currency.start = reader.int(value, "start") ?? 0
      default: currency.floor = reader.int(value, "floor")
      }
    }
    book.currencies.append(currency)
  }

  private mutating func parseCounter(_ name: Name, _ node: Node) {
    var counter = CounterDeclaration(name: name)
    if node.scalar?.string.isEmpty != true {
      for (key, _, value) in reader.mapping(node, "counter '\(name.text)'", keys: RuleKeys.counter) ?? [] {
        switch key {
        case "key": counter.key = reader.expression(value, "key")
        case "window": counter.window = reader.window(value, "window")
        case "earned": counter.earned = reader.name(value, "earned")
        case "of": counter.of = reader.name(value, "of")
        default: counter.tracks = reader.name(value, "tracks")
        }
      }
    }
    book.counters.append(counter)
  }

  private mutating func parseProgress(_ name: Name, _ node: Node) {
    var key: ExpressionSource?
    var states: [Name] = []
    for (k, _, value) in reader.mapping(node, "progress '\(name.text)'", keys: RuleKeys.progress) ?? [] {
      if k == "key" { key = reader.expression(value, "key") } else { states = reader.names(value, "a state") }
    }
    if let key { book.progress.append(ProgressDeclaration(name: name, key: key, states: states)) }
  }

  private mutating func parseStreak(_ name: Name, _ node: Node) {
    var streak = StreakDeclaration(name: name)
    for (key, _, value) in reader.mapping(node, "streak '\(name.text)'", keys: RuleKeys.streak) ?? [] {
      if key == "every" {
        streak.every = reader.window(value, "every") ?? .day
      } else {
        streak.on = reader.names(value, "an action type")
      }
    }
    book.streaks.append(streak)
  }
}
