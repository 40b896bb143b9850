import Foundation
import Laurel
import LaurelDiagnostics
import LaurelExpression
import Yams

/// Reads YAML nodes into typed values, collecting a diagnostic with a
/// `file:line:column` for every problem instead of stopping at the first.
struct YAMLReader {
  let file: String
  let lines: [Substring]
  var diagnostics: [Diagnostic] = []

  init(file: String, text: String) {
    self.file = file
    lines = text.split(separator: "\n", omittingEmptySubsequences: false)
  }

  func location(_ node: Node) -> SourceLocation? {
    node.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
  }

  mutating func error(_ code: Diagnostic.Code, _ message: String, _ node: Node?, length: Int? = nil) {
    let len = length ?? node?.scalar.map { $0.string.unicodeScalars.count } ?? 1
    diagnostics.append(Diagnostic(code: code, message: message, at: node.flatMap(location), length: len))
  }

  /// The pairs of a mapping, checking keys against `allowed` and `required`.
  mutating func mapping(_ node: Node, _ what: String, keys allowed: [RuleKeys.Key]? = nil) -> [(String, Node, Node)]? {
    guard let mapping = node.mapping else {
      error(.wrongType, "\(what) must be a mapping of keys to values, not \(describe(node))", node)
      return nil
    }
    var pairs: [(String, Node, Node)] = []
    for (key, value) in mapping {
      guard let name = key.scalar?.string else {
        error(.wrongType, "keys in \(what) must be plain names", key)
        continue
      }
      if let allowed, !allowed.contains(where: { $0.name == name }) {
        let names = allowed.map(\.name)
        let hint =
          Suggestions.closest(to: name, in: names).map { "; did you mean '\($0)'?" }
          ?? " (expected one of: \(names.joined(separator: ", ")))"
        error(.unknownKey, "unknown key '\(name)' in \(what)\(hint)", key)
        continue
      }
      pairs.append((name, key, value))
    }
    for key in allowed ?? [] where key.required && !pairs.contains(where: { $0.0 == key.name }) {
      error(.missingKey, "\(what) needs '\(key.name)': \(key.summary)", node, length: 1)
    }
    return pairs
  }

  func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let s): s.string.isEmpty ? "an empty value" : "'\(s.string)'"
    case .sequence: "a list"
    case .mapping: "a mapping"
    case .alias: "an alias"
    }
  }

  mutating func scalar(_ node: Node, _ what: String) -> String? {
    guard let s = node.scalar else {
      error(.wrongType, "\(what) must be a single value, not \(describe(node))", node)
      return nil
    }
    return s.string
  }

  mutating func name(_ node: Node, _ what: String) -> Name? {
    guard let text = scalar(node, what) else { return nil }
    guard !text.isEmpty else {
      error(.wrongType, "\(what) must not be empty", node)
      return nil
    }
    return Name(text, at: location(node))
  }

  /// One name or a list of names.
  mutating func names(_ node: Node, _ what: String) -> [Name] {
    if let sequence = node.sequence { return sequence.compactMap { name($0, what) } }
    return name(node, what).map { [$0] } ?? []
  }

  mutating func int(_ node: Node, _ what: String) -> Int64? {
    guard let text = scalar(node, what) else { return nil }
    guard let value = Int64(text) else {
      error(.wrongType, "\(what) must be a whole number, not '\(text)'", node)
      return nil
    }
    return value
  }

  mutating func bool(_ node: Node, _ what: String) -> Bool? {
    guard let text = scalar(node, what) else { return nil }
    switch text {
    case "true", "True", "TRUE", "yes", "Yes", "on": return true
    case "false", "False", "FALSE", "no", "No", "off": return false
    default:
      error(.wrongType, "\(what) must be true or false, not '\(text)'", node)
      return nil
    }
  }

  mutating func window(_ node: Node, _ what: String) -> TimeWindow? {
    guard let text = scalar(node, what) else { return nil }
    guard let window = TimeWindow(rawValue: text) else {
      error(.invalidValue, "\(what) must be day, week or month, not '\(text)'", node)
      return nil
    }
    return window
  }

  /// A timestamp: `2019-11-13` (midnight UTC) or RFC 3339.
  mutating func timestamp(_ node: Node, _ what: String) -> Timestamp? {
    guard let text = scalar(node, what) else { return nil }
    let full = text.count == 10 ? text + "T00:00:00Z" : text
    guard let t = try? Timestamp(rfc3339: full) else {
      error(.invalidValue, "\(what) must be a date (2019-11-13) or a time (2019-11-13T09:00:00Z), not '\(text)'", node)
      return nil
    }
    return t
  }

  /// An expression with the location of its first character, so expression
  /// diagnostics point into the file (quoted scalars start one column later;
  /// block scalars map each line).
  mutating func expression(_ node: Node, _ what: String) -> ExpressionSource? {
    guard let scalar = node.scalar else {
      error(.wrongType, "\(what) must be an expression (a single value), not \(describe(node))", node)
      return nil
    }
    guard !scalar.string.trimmingCharacters(in: .whitespaces).isEmpty else {
      error(.wrongType, "\(what) must not be empty", node)
      return nil
    }
    guard let start = location(node) else { return ExpressionSource(scalar.string) }
    switch scalar.style {
    case .singleQuoted, .doubleQuoted:
      return ExpressionSource(scalar.string, at: start.advanced(byColumns: 1))
    case .literal, .folded:
      return ExpressionSource(scalar.string, at: start, lineStarts: blockLineStarts(after: start))
    default:
      return ExpressionSource(scalar.string, at: start)
    }
  }

  /// Where each content line of a block scalar starts: the lines after the indicator, at their indentation.
  private func blockLineStarts(after start: SourceLocation) -> [SourceLocation] {
    var result: [SourceLocation] = []
    var indent: Int?
    var line = start.line  // 0-based index of the next line
    while line < lines.count {
      let text = lines[line]
      let spaces = text.prefix { $0 == " " }.count
      if text.trimmingCharacters(in: .whitespaces).isEmpty {
        result.append(SourceLocation(file: file, line: line + 1, column: (indent ?? spaces) + 1))
        line += 1
        continue
      }
      if indent == nil { indent = spaces }
      guard spaces >= indent! else { break }
      result.append(SourceLocation(file: file, line: line + 1, column: indent! + 1))
      line += 1
    }
    return result
  }
}
