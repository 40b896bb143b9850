/// A member id with its hash, computed once per action (from the scope's hash
/// and the user's), so that every later lookup of the member in that action,
/// in memory or in the SQLite store's working set, hashes no strings.
///
/// Hashable through the precomputed hash; equality compares the ids.
public struct MemberKey: Hashable, Sendable, CustomStringConvertible {
  public let id: MemberID
  /// ``MemberKey/combine(scope:user:)`` of the id's parts.
  package let hash: UInt64

  /// Hashes `id`'s strings.
  public init(_ id: MemberID) {
    self.id = id
    hash = Self.combine(scope: id.scope.map { fnv1a($0) }, user: fnv1a(id.user))
  }

  /// `id` from its parts' hashes: `fnv1a` of the scope (nil for none) and of the user.
  init(_ id: MemberID, scopeHash: UInt64?, userHash: UInt64) {
    self.id = id
    hash = Self.combine(scope: scopeHash, user: userHash)
  }

  /// One hash from the parts' hashes; `a/b` and `ab/` differ because the scope is multiplied.
  @inline(__always)
  static func combine(scope: UInt64?, user: UInt64) -> UInt64 {
    user ^ (scope.map { ($0 ^ 0xff) &* 0x9E37_79B9_7F4A_7C15 } ?? 0x5BD1_E995_0000_0001)
  }

  public func hash(into hasher: inout Hasher) { hasher.combine(hash) }

  public static func == (a: MemberKey, b: MemberKey) -> Bool { a.hash == b.hash && a.id == b.id }

  public var description: String { id.description }
}
