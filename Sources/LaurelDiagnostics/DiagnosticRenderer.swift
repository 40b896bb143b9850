/// Renders diagnostics for people: the `path:line:column: error: message` line,
/// then the source line and a caret under the problem.
///
/// ```
/// rules/badges.yaml:14:22: error: unknown field 'strek' on 'member'
///    | when: member.strek >= 7
///    |              ^^^^^
/// ```
public struct DiagnosticRenderer: Sendable {
  /// Source text of each file, by the path used in the locations.
  public var sources: [String: String]

  public init(sources: [String: String] = [:]) { self.sources = sources }

  /// Renders one diagnostic, with a source excerpt when the file's text is known.
  public func render(_ diagnostic: Diagnostic) -> String {
    var out = diagnostic.description
    guard let location = diagnostic.location,
      let text = sources[location.file ?? "<input>"],
      let line = Self.line(location.line, of: text)
    else { return out }
    let caretIndent = String(
      line.unicodeScalars.prefix(max(0, location.column - 1)).map { $0 == "\t" ? "\t" : " " }
        .map(Character.init))
    out += "\n   | \(line)\n   | \(caretIndent)\(String(repeating: "^", count: diagnostic.length))"
    return out
  }

  /// Renders all diagnostics, one block each, in order.
  public func render(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.map(render).joined(separator: "\n")
  }

  static func line(_ number: Int, of text: String) -> Substring? {
    var current = 1
    var start = text.startIndex
    var index = text.startIndex
    while index < text.endIndex {
      if text[index] == "\n" || text[index] == "\r\n" {
        if current == number { return text[start..<index] }
        current += 1
        start = text.index(after: index)
      }
      index = text.index(after: index)
    }
    return current == number ? text[start..<text.endIndex] : nil
  }
}
