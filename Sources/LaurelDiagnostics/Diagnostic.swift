/// One problem found in a rule file, an expression or an action.
///
/// Diagnostics are collected, not thrown one at a time: a loader reports every
/// problem it finds in one run. `code` is a stable identifier tests can match.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
  /// How serious a problem is.
  public enum Severity: String, Hashable, Sendable {
    case error
    case warning
    case note
  }

  /// A stable identifier for a kind of problem.
  public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
  }

  public var severity: Severity
  public var code: Code
  /// What is wrong, in one sentence, without the location.
  public var message: String
  /// Where, when known.
  public var location: SourceLocation?
  /// How many columns the underline covers (at least 1).
  public var length: Int

  public init(
    _ severity: Severity = .error, code: Code, message: String, at location: SourceLocation?,
    length: Int = 1
  ) {
    self.severity = severity
    self.code = code
    self.message = message
    self.location = location
    self.length = max(1, length)
  }

  /// `path:line:column: error: message`, the one-line form editors and CI parse.
  public var description: String {
    if let location {
      return "\(location): \(severity.rawValue): \(message)"
    }
    return "\(severity.rawValue): \(message)"
  }
}

extension Diagnostic.Code {
  public static let syntax = Self("syntax")
  public static let unknownName = Self("unknown-name")
  public static let unknownField = Self("unknown-field")
  public static let unknownFunction = Self("unknown-function")
  public static let typeMismatch = Self("type-mismatch")
  public static let tooComplex = Self("too-complex")
  public static let unknownKey = Self("unknown-key")
  public static let missingKey = Self("missing-key")
  public static let wrongType = Self("wrong-type")
  public static let duplicate = Self("duplicate")
  public static let undeclared = Self("undeclared")
  public static let invalidValue = Self("invalid-value")
  public static let yaml = Self("yaml")
  public static let io = Self("io")
}

/// A failure carrying every diagnostic found, thrown when any of them is an error.
public struct DiagnosticError: Error, Sendable, CustomStringConvertible {
  public var diagnostics: [Diagnostic]
  public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
  public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
