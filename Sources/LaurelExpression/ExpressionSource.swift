public import LaurelDiagnostics

/// An expression's text and where it sits in its file, so diagnostics point
/// into the YAML (`rules.yaml:14:22`), not into the expression alone.
public struct ExpressionSource: Sendable {
  public var text: String
  /// Where the first character of `text` is, if known.
  public var location: SourceLocation?
  /// For multi-line (block) scalars: where each line of `text` starts in the
  /// file. When nil, later lines are assumed to start at column 1.
  public var lineStarts: [SourceLocation]?

  public init(_ text: String, at location: SourceLocation? = nil, lineStarts: [SourceLocation]? = nil) {
    self.text = text
    self.location = location
    self.lineStarts = lineStarts
  }

  /// The file location of a scalar offset into `text`.
  public func location(ofOffset offset: Int) -> SourceLocation? {
    var line = 0
    var column = 0
    for (i, scalar) in text.unicodeScalars.enumerated() {
      if i == offset { break }
      if scalar == "\n" {
        line += 1
        column = 0
      } else {
        column += 1
      }
    }
    if let lineStarts, line < lineStarts.count { return lineStarts[line].advanced(byColumns: column) }
    guard let location else { return SourceLocation(line: line + 1, column: column + 1) }
    if line == 0 { return location.advanced(byColumns: column) }
    return SourceLocation(file: location.file, line: location.line + line, column: column + 1)
  }
}
