@_spi(StoreAdapter) public import Laurel

/// A store that fails in the middle of a batch: it wraps another store and
/// throws ``Fault`` from its transaction after `failAfter` member loads, as a
/// network store would when its connection drops mid-batch. The conformance
/// suite uses it to check that such a failure keeps nothing.
public final class FailingStore<Base: Store>: Store {
  /// The error the wrapped transaction throws.
  public struct Fault: Error, Sendable {}

  public let base: Base
  /// Member loads a transaction may make before it fails.
  public let failAfter: Int

  public init(_ base: Base, failAfter: Int) {
    self.base = base
    self.failAfter = failAfter
  }

  public func transaction<R: Sendable>(
    reading footprint: BatchFootprint, _ body: @escaping @Sendable (inout Transaction) throws -> R
  ) async throws -> R {
    let failAfter = self.failAfter
    return try await base.transaction(reading: footprint) { inner in
      var wrapped = Transaction(base: inner, remaining: failAfter)
      defer { inner = wrapped.base }
      return try body(&wrapped)
    }
  }

  public func members() async throws -> [(MemberID, MemberState)] { try await base.members() }
  public func members(inScope scope: String?) async throws -> [(MemberID, MemberState)] {
    try await base.members(inScope: scope)
  }
  public func state(of member: MemberID) async throws -> MemberState? { try await base.state(of: member) }
  public var stateLayout: StateLayout? { base.stateLayout }
  public var wantsFootprint: Bool { base.wantsFootprint }

  /// The base store's transaction, failing once its member loads run out.
  public struct Transaction: StateTransaction {
    public typealias Failure = any Error
    var base: Base.Transaction
    var remaining: Int

    private mutating func spend() throws {
      guard remaining > 0 else { throw Fault() }
      remaining -= 1
    }

    public mutating func claimAction(_ action: PreparedAction) throws -> Bool { try base.claimAction(action) }
    public mutating func releaseAction(_ actionID: String) throws { try base.releaseAction(actionID) }
    public mutating func existingMember(_ key: MemberKey) throws -> Int? {
      try spend()
      return try base.existingMember(key)
    }
    public mutating func member(_ key: MemberKey, initial: () -> MemberState) throws -> Int {
      try spend()
      return try base.member(key, initial: initial)
    }
    public mutating func withMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R {
      base.withMember(handle, body)
    }
    public mutating func readMember<R>(_ handle: Int, _ body: (inout MemberState) -> R) -> R {
      base.readMember(handle, body)
    }
    public mutating func claimOnce(_ handle: Int, rule: Int, key: String) throws -> Bool {
      try base.claimOnce(handle, rule: rule, key: key)
    }
    public mutating func record(_ outcome: Outcome) throws { try base.record(outcome) }
  }
}
