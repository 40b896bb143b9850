/// A position in a source file: 1-based line and column.
///
/// Columns count Unicode scalars from the start of the line, which is what
/// editors that jump to `path:line:column` expect for the ASCII-heavy rule files.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
  /// The file the position is in, as given to the loader (may be relative).
  public var file: String?
  /// 1-based line number.
  public var line: Int
  /// 1-based column number.
  public var column: Int

  public init(file: String? = nil, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// The location `offset` columns to the right on the same line.
  public func advanced(byColumns offset: Int) -> SourceLocation {
    SourceLocation(file: file, line: line, column: column + offset)
  }

  public var description: String {
    "\(file ?? "<input>"):\(line):\(column)"
  }
}
