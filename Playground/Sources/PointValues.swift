import Foundation
import Yams

/// The numbers (and tier names) a product person tunes, found in a rule
/// file's YAML with their exact positions, so that editing one in a form
/// rewrites exactly that scalar and keeps every comment and the layout.
///
/// Offered: each rule's `award`/`deduct` amount, bonus awards, cap limits,
/// currency starts and floors, tier thresholds and names, and the number of a
/// badge condition that is one comparison (`member.counters.x[key] >= 250`).
/// Amounts given as expressions, and scalars whose text cannot be matched at
/// their position, are left out: the editor is the place for them.
struct PointValues {
  /// One tunable scalar.
  struct Field: Codable, Sendable, Equatable {
    /// A path naming the scalar: `actions.post_liked[0].award.points`,
    /// `ladders.level.tiers[2].at`, `badges.expert.when#number`.
    var id: String
    /// The table it belongs in: Actions, Bonuses, Caps, Currencies, Ladder …, Badges.
    var section: String
    /// What a person reads: "post_liked → award points".
    var label: String
    var value: String
    /// `integer` or `text`.
    var kind: String
    /// 1-based line and column (in characters) of the value's first character.
    var line: Int
    var column: Int
    /// The value's length in characters, as written.
    var length: Int
  }

  /// Why a value cannot be set.
  struct EditError: Error, CustomStringConvertible, Sendable {
    var description: String
  }

  /// A replacement of `length` characters at `line`:`column`.
  struct Edit: Codable, Sendable, Equatable {
    var line: Int
    var column: Int
    var length: Int
    var replacement: String
  }

  let text: String
  private let lines: [Substring]
  private(set) var fields: [Field] = []

  /// Reads the tunable values of `text`; a text that is not YAML has none.
  init(text: String) {
    self.text = text
    lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let root = try? Yams.compose(yaml: text), let top = root.mapping else { return }
    collect(top)
  }

  /// The text with field `id` set to `value`, and the edit that makes it.
  func setting(_ id: String, to value: String) throws(EditError) -> (text: String, edit: Edit) {
    guard let field = fields.first(where: { $0.id == id }) else {
      throw EditError(description: "no tunable value '\(id)' in this file (it may have been edited away)")
    }
    let replacement: String
    switch field.kind {
    case "integer":
      let trimmed = value.trimmingCharacters(in: .whitespaces)
      guard let number = Int64(trimmed) else {
        throw EditError(description: "'\(value)' is not a whole number; \(field.label) takes one")
      }
      replacement = String(number)
    default:
      replacement = Self.yamlScalar(value)
      guard !value.isEmpty else { throw EditError(description: "\(field.label) must not be empty") }
    }
    let edit = Edit(line: field.line, column: field.column, length: field.length, replacement: replacement)
    var newLines = lines
    let line = newLines[field.line - 1]
    let scalars = Array(line.unicodeScalars)
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars[..<(field.column - 1)])
    view.append(contentsOf: replacement.unicodeScalars)
    view.append(contentsOf: scalars[(field.column - 1 + field.length)...])
    newLines[field.line - 1] = Substring(String(view))
    return (newLines.joined(separator: "\n"), edit)
  }

  /// A tier name as YAML: plain when that reads back the same, else double-quoted.
  static func yamlScalar(_ value: String) -> String {
    let plain = value.range(of: #"^[A-Za-z][A-Za-z0-9 _.()/+-]*$"#, options: .regularExpression) != nil
    if plain && !value.hasSuffix(" ")
      && !["true", "false", "null", "yes", "no", "on", "off"].contains(value.lowercased())
    {
      return value
    }
    let data = (try? JSONSerialization.data(withJSONObject: [value])) ?? Data("[\"\"]".utf8)
    return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
  }

  // MARK: - Finding the values

  private mutating func collect(_ top: Node.Mapping) {
    for (key, value) in top {
      guard let section = key.scalar?.string, let mapping = value.mapping else { continue }
      for (nameNode, body) in mapping {
        guard let name = nameNode.scalar?.string else { continue }
        switch section {
        case "actions":
          for (i, rule) in (body.sequence.map(Array.init) ?? []).enumerated() {
            for verb in ["award", "deduct"] {
              for (currency, amount) in rule.mapping?[verb]?.mapping ?? [:] {
                guard let c = currency.scalar?.string else { continue }
                add(amount, "actions.\(name)[\(i)].\(verb).\(c)", "Actions", "\(name) → \(verb) \(c)", .integer)
              }
            }
          }
        case "bonuses":
          for (currency, amount) in body.mapping?["award"]?.mapping ?? [:] {
            guard let c = currency.scalar?.string else { continue }
            add(amount, "bonuses.\(name).award.\(c)", "Bonuses", "\(name) → award \(c)", .integer)
          }
        case "caps":
          if let max = body.mapping?["max"] {
            let per = body.mapping?["per"]?.scalar?.string ?? "window"
            add(max, "caps.\(name).max", "Caps", "\(name): most per \(per)", .integer)
          }
        case "currencies":
          for part in ["start", "floor"] {
            if let node = body.mapping?[part] {
              add(node, "currencies.\(name).\(part)", "Currencies", "\(name) \(part)", .integer)
            }
          }
        case "ladders":
          for (i, tier) in (body.mapping?["tiers"]?.sequence.map(Array.init) ?? []).enumerated() {
            let tierName = tier.mapping?["name"]?.scalar?.string ?? "tier \(i + 1)"
            if let node = tier.mapping?["name"] {
              add(node, "ladders.\(name).tiers[\(i)].name", "Ladder \(name)", "tier \(i + 1) name", .text)
            }
            if let node = tier.mapping?["at"] {
              add(node, "ladders.\(name).tiers[\(i)].at", "Ladder \(name)", "\(tierName) at", .integer)
            }
          }
        case "badges":
          if let when = body.mapping?["when"] { addComparison(when, badge: name) }
        default: continue
        }
      }
    }
  }

  private enum Kind: String { case integer, text }

  /// Adds a scalar when its text sits at its mark as written (plain or quoted on one line).
  private mutating func add(_ node: Node, _ id: String, _ section: String, _ label: String, _ kind: Kind) {
    guard let scalar = node.scalar, let mark = node.mark else { return }
    if kind == .integer, Int64(scalar.string) == nil { return }  // an expression: the editor's business
    let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
    let column = mark.column + (quoted ? 1 : 0)
    guard let line = matches(scalar.string, line: mark.line, column: column) else { return }
    fields.append(
      Field(
        id: id, section: section, label: label, value: scalar.string, kind: kind.rawValue, line: line, column: column,
        length: scalar.string.unicodeScalars.count))
  }

  /// The threshold of a badge condition that is one comparison with a whole number on its right.
  private mutating func addComparison(_ node: Node, badge: String) {
    guard let scalar = node.scalar, let mark = node.mark,
      let match = scalar.string.range(of: #"(>=|>|==|<=|<)\s*-?[0-9]+\s*$"#, options: .regularExpression),
      scalar.string.range(of: "&&|\\|\\||\\?", options: .regularExpression) == nil
    else { return }
    let tail = scalar.string[match]
    guard let digits = tail.range(of: #"-?[0-9]+"#, options: .regularExpression) else { return }
    let number = String(tail[digits])
    let offset = scalar.string.unicodeScalars.distance(
      from: scalar.string.unicodeScalars.startIndex,
      to: digits.lowerBound)
    let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
    let column = mark.column + (quoted ? 1 : 0) + offset
    guard Int64(number) != nil, let line = matches(number, line: mark.line, column: column) else { return }
    let subject = scalar.string[..<match.lowerBound].trimmingCharacters(in: .whitespaces)
    fields.append(
      Field(
        id: "badges.\(badge).when#number", section: "Badges",
        label: "\(badge): \(subject) \(tail[..<digits.lowerBound].trimmingCharacters(in: .whitespaces))",
        value: number, kind: Kind.integer.rawValue, line: line, column: column, length: number.unicodeScalars.count))
  }

  /// The line when `expected` is written at `line`:`column`, else nil.
  private func matches(_ expected: String, line: Int, column: Int) -> Int? {
    guard line >= 1, line <= lines.count else { return nil }
    let scalars = Array(lines[line - 1].unicodeScalars)
    let wanted = Array(expected.unicodeScalars)
    guard column >= 1, column - 1 + wanted.count <= scalars.count,
      Array(scalars[(column - 1)..<(column - 1 + wanted.count)]) == wanted
    else { return nil }
    return line
  }
}

extension PointValues {
  /// A top-level `key: value` of a rule file read from its lines, without
  /// composing the YAML (the file may be invalid, or hostile).
  static func topLevelScalar(_ key: String, in text: String) -> String? {
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) where line.hasPrefix(key + ":") {
      var value = line.dropFirst(key.count + 1)
      if let hash = value.range(of: " #") { value = value[..<hash.lowerBound] }
      let trimmed = value.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r\"'"))
      return trimmed.isEmpty ? nil : trimmed
    }
    return nil
  }
}
