/// Where member state lives between actions. A store runs the engine's work
/// for one action (or one batch) in a single atomic transaction: all of it
/// is kept or none of it.
///
/// What every store guarantees (`LaurelTesting.StoreConformance` checks it):
/// - **Atomic**: a transaction whose body throws, or that fails to commit,
///   keeps nothing — no member change, no claimed action id, no once-per key.
/// - **Serializable**: transactions running at the same time, in this
///   process or in others sharing the store, end as some serial order of
///   them would; no update is lost (a store that caches states must check
///   them against what others committed).
/// - **Idempotent**: an action id is claimed at most once, ever; a duplicate
///   changes nothing.
/// - **Laid out by name**: a store that keeps states across rule changes
///   reports their ``stateLayout``, and carries states over by name when
///   its rules change (see ``StateMigration``).
///
/// Adapters: ``InMemoryStore`` here; SQLite and PostgreSQL in their own modules.
public protocol Store: Sendable {
  associatedtype Transaction: StateTransaction

  /// Runs `body` atomically; when it throws, nothing it did is kept.
  func transaction<R>(_ body: (inout Transaction) throws -> R) async throws -> R

  /// A snapshot of every member, sorted by scope then user.
  func members() async throws -> [(MemberID, MemberState)]

  /// The members of one scope (nil: a global scheme's members), sorted by user.
  func members(inScope scope: String?) async throws -> [(MemberID, MemberState)]

  /// The layout of the member states the store holds, when it records one:
  /// an engine refuses to apply actions under rules of another layout
  /// (``Engine/RulesMismatch``), which would read states at the wrong positions.
  var stateLayout: StateLayout? { get }
}

extension Store {
  /// By default a store records no layout.
  public var stateLayout: StateLayout? { nil }

  /// Filters ``members()``; stores with an index on scopes do better.
  public func members(inScope scope: String?) async throws -> [(MemberID, MemberState)] {
    try await members().filter { $0.0.scope == scope }
  }
}
