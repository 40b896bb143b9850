/// Why an admin operation was refused; nothing of it was applied.
public struct AdminError: Error, Sendable, Hashable, CustomStringConvertible {
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    /// The input is not valid; ``AdminError/problems`` lists every problem.
    case validation
    /// The rules declare no ladder, gate or badge of that name.
    case unknownName
    /// The ladder is not declared `overridable`.
    case notOverridable
    /// The badge is earned automatically: only `manual` badges are granted and revoked.
    case notManual
    /// The member does not hold the badge (revoking).
    case notHeld
    /// A catalogue badge of that name exists (creating) or does not (updating).
    case conflict
    /// The scheme is scoped and no scope was given, or the reverse.
    case scopeMismatch
  }

  /// One problem with the input, and the field it concerns (`tiers[3].name`).
  public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
      self.field = field
      self.message = message
    }
    public var description: String { "\(field): \(message)" }
  }

  public var kind: Kind
  public var message: String
  /// Every problem found (validation errors); empty for other kinds.
  public var problems: [Problem]

  /// `VALIDATION_ERROR` (seed 004's code), `ADMIN_UNKNOWN_NAME`, `ADMIN_NOT_OVERRIDABLE`, …
  public var code: String {
    switch kind {
    case .validation: "VALIDATION_ERROR"
    case .unknownName: "ADMIN_UNKNOWN_NAME"
    case .notOverridable: "ADMIN_NOT_OVERRIDABLE"
    case .notManual: "ADMIN_NOT_MANUAL"
    case .notHeld: "ADMIN_NOT_HELD"
    case .conflict: "ADMIN_CONFLICT"
    case .scopeMismatch: "ADMIN_SCOPE_MISMATCH"
    }
  }

  public var description: String {
    problems.isEmpty ? message : ([message] + problems.map { "  \($0)" }).joined(separator: "\n")
  }

  package init(_ kind: Kind, _ message: String, problems: [Problem] = []) {
    self.kind = kind
    self.message = message
    self.problems = problems
  }

  /// A validation error about one field.
  static func invalid(_ field: String, _ message: String) -> AdminError {
    AdminError(.validation, "\(field): \(message)", problems: [Problem(field: field, message: message)])
  }
}
