/// The store holds states laid out for other rules than the engine's:
/// adopt the engine's rules in the store first (for SQLite,
/// `SQLiteStore.adopt`, which carries state over by name). Nothing was applied.
public struct RulesMismatch: Error, Sendable, CustomStringConvertible {
  public var stored: StateLayout
  public var rules: StateLayout
  /// `RULES_MISMATCH`.
  public var code: String { "RULES_MISMATCH" }
  public var description: String {
    "the store holds state laid out for other rules of scheme '\(stored.scheme)' than the engine's ('\(rules.scheme)'); adopt the engine's rules in the store first"
  }
}

/// Why a read could not be answered, with a kind for hosts to switch on.
public struct QueryError: Error, Sendable, Hashable, CustomStringConvertible {
  public enum Kind: Sendable, Hashable {
    /// The rules declare no ladder of that name.
    case unknownLadder
    /// The rules declare no currency of that name.
    case unknownCurrency
    /// The rules declare no leaderboard of that name, or it has no such window.
    case unknownLeaderboard
    /// The rules declare no badge, progress map or state of that name.
    case unknownName
  }

  public var kind: Kind
  public var description: String

  /// `QUERY_UNKNOWN_LADDER`, `QUERY_UNKNOWN_CURRENCY`.
  public var code: String {
    switch kind {
    case .unknownLadder: "QUERY_UNKNOWN_LADDER"
    case .unknownCurrency: "QUERY_UNKNOWN_CURRENCY"
    case .unknownLeaderboard: "QUERY_UNKNOWN_LEADERBOARD"
    case .unknownName: "QUERY_UNKNOWN_NAME"
    }
  }

  package init(_ kind: Kind, _ description: String) {
    self.kind = kind
    self.description = description
  }
}
