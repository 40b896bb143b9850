/// One atomic unit of work on member state, as the engine sees it. A store
/// opens one per action (or per batch) and commits it when the engine is done.
///
/// The engine reads and writes through this protocol only, so the same
/// evaluation code runs in memory, on SQLite and on PostgreSQL. `Failure` is
/// `Never` for in-memory state, so the hot path has no error handling cost.
public protocol StateTransaction {
  associatedtype Failure: Error

  /// Records an action's id (and, in stores that keep one, the action in the
  /// action log); false when the id was recorded before (a duplicate).
  mutating func claimAction(_ action: PreparedAction) throws(Failure) -> Bool
  /// ``claimAction(_:)`` for an action the engine reads in place (a replay's
  /// block). The default passes the action on, which copies it; a store that
  /// needs only the id reads just that.
  @_spi(StoreAdapter) mutating func claimAction(at action: UnsafePointer<PreparedAction>) throws(Failure) -> Bool
  /// Forgets an id claimed by an action that was then rejected.
  mutating func releaseAction(_ actionID: String) throws(Failure)
  /// The handle of an existing member, or nil.
  mutating func existingMember(_ key: MemberKey) throws(Failure) -> Int?
  /// The handle of a member, created with `initial` state when absent.
  mutating func member(_ key: MemberKey, initial: () -> MemberState) throws(Failure) -> Int
  /// Changes a loaded member's state.
  mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R
  /// Reads a loaded member's state (stores may skip writing back members only read).
  mutating func readMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R
  /// Claims a once-per key for a member and rule; false when already claimed.
  mutating func claimOnce(_ handle: Int, rule: Int, key: String) throws(Failure) -> Bool
  /// ``claimOnce(_:rule:key:)`` for a key whose hash decoding took (the
  /// ``PreparedAction`` field's). The default ignores the hash.
  @_spi(StoreAdapter) mutating func claimOnce(
    _ handle: Int, rule: Int, key: String, keyHash: UInt64
  ) throws(Failure)
    -> Bool
  /// Called with each applied action's outcome, for stores that keep a ledger
  /// (each ledger entry carries the member's handle here).
  mutating func record(_ outcome: Outcome) throws(Failure)
  /// The tiers `scope` has overridden (``AdminStore``), nil when none (the
  /// engine asks on every action of rules with an `overridable` ladder: nil
  /// costs nothing). Stores without admin settings have none.
  mutating func tierOverrides(scope: String?) throws(Failure) -> TierOverrides?
}

extension StateTransaction {
  @_spi(StoreAdapter) public mutating func claimAction(
    at action: UnsafePointer<PreparedAction>
  ) throws(Failure)
    -> Bool
  {
    try claimAction(action.pointee)
  }

  @_spi(StoreAdapter) public mutating func claimOnce(
    _ handle: Int, rule: Int, key: String, keyHash: UInt64
  )
    throws(Failure) -> Bool
  {
    try claimOnce(handle, rule: rule, key: key)
  }

  /// By default a read is a change that changes nothing.
  public mutating func readMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R { withMember(handle, body) }

  public mutating func tierOverrides(scope: String?) throws(Failure) -> TierOverrides? { nil }

  /// Stores without a ledger ignore outcomes.
  public mutating func record(_ outcome: Outcome) throws(Failure) {}
}
