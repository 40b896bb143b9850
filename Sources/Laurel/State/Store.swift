/// Where member state lives between actions. A store runs the engine's work
/// for one action (or one batch) in a single atomic transaction: all of it
/// is kept or none of it.
///
/// What every store guarantees (`LaurelTesting.StoreConformance` checks it,
/// with a store that fails in the middle of a batch among its cases):
/// - **Atomic**: a transaction whose body throws, or that fails to commit,
///   keeps nothing — no member change, no claimed action id, no once-per key,
///   no ledger row.
/// - **Serializable**: transactions running at the same time, in this
///   process or in others sharing the store, end as some serial order of
///   them would; no update is lost. A store that caches states, or reads
///   them before its transaction, writes a member back only if the member
///   still has the version it read (else it runs the transaction again).
/// - **Idempotent**: an action id is claimed at most once, ever, atomically
///   (a unique key): of two transactions claiming one id, one sees a duplicate.
/// - **Laid out by name**: a store that keeps states across rule changes
///   reports their ``stateLayout``, and carries states over by name when
///   its rules change (see ``StateMigration``).
/// - **Off the cooperative pool**: `async` requirements never block a
///   thread of Swift's shared pool on I/O or a lock wait (hand the work to a
///   queue or thread of the store's own, or use a non-blocking driver).
///
/// ## One round trip per batch
///
/// The contract lets a store reached over a network apply a batch in one
/// read and one write: ``transaction(reading:_:)`` receives the batch's
/// ``BatchFootprint`` before the body runs, so the store can fetch every
/// listed member (with its row version) and the once-per keys already claimed
/// in one query; the body then runs against that working set (loading on
/// demand only what the forecast missed), and the store writes every changed
/// member conditionally on its version, the ledger, badges, once-per keys and
/// action ids in one statement or pipelined exchange at commit.
///
/// Adapters: ``InMemoryStore`` here; SQLite and PostgreSQL in their own modules.
public protocol Store: Sendable {
  associatedtype Transaction: StateTransaction

  /// Runs `body` atomically against the store; when it throws, nothing it
  /// did is kept. `footprint` forecasts what `body` will read (see the
  /// protocol's documentation); a store may ignore it.
  func transaction<R: Sendable>(
    reading footprint: BatchFootprint, _ body: @escaping @Sendable (inout Transaction) throws -> R
  ) async throws -> R

  /// A snapshot of every member, sorted by scope then user. Objects' states
  /// (`objects:` in rules), which a store keeps as members under ids whose
  /// scope starts with U+001F, are not members and are left out.
  func members() async throws -> [(MemberID, MemberState)]

  /// The members of one scope (nil: a global scheme's members), sorted by user.
  func members(inScope scope: String?) async throws -> [(MemberID, MemberState)]

  /// One member's state; nil for a member the store has never seen. Also
  /// how an object's state is read (``Engine/objectCounters(of:key:scope:)``):
  /// a store that keeps objects answers for their ids too, which the default
  /// (a search of ``members(inScope:)``) does not.
  func state(of member: MemberID) async throws -> MemberState?

  /// Whether the store uses a batch's ``BatchFootprint`` (the engine spends
  /// no time forecasting one for a store that would ignore it).
  var wantsFootprint: Bool { get }

  /// The layout of the member states the store holds, when it records one:
  /// an engine refuses to apply actions under rules of another layout
  /// (``RulesMismatch``), which would read states at the wrong positions.
  var stateLayout: StateLayout? { get }

  /// The tiers `scope` has overridden at run time (see ``AdminStore``).
  func tierOverrides(scope: String?) async throws -> TierOverrides

  /// One member's state and the tier overrides of its scope, read together
  /// (a profile's two reads in one trip to the store).
  func stateAndOverrides(of member: MemberID) async throws -> (state: MemberState?, overrides: TierOverrides)
}

extension Store {
  /// By default a store records no layout.
  public var stateLayout: StateLayout? { nil }

  /// By default a store keeps no overrides.
  public func tierOverrides(scope: String?) async throws -> TierOverrides { TierOverrides() }

  /// By default, two reads.
  public func stateAndOverrides(of member: MemberID) async throws -> (state: MemberState?, overrides: TierOverrides) {
    (try await state(of: member), try await tierOverrides(scope: member.scope))
  }

  /// By default a store reads what a batch needs on demand.
  public var wantsFootprint: Bool { false }

  /// A transaction with no forecast of what it reads.
  public func transaction<R: Sendable>(
    _ body: @escaping @Sendable (inout Transaction) throws -> R
  ) async throws -> R {
    try await transaction(reading: .unknown, body)
  }

  /// Filters ``members()``; stores with an index on scopes do better.
  public func members(inScope scope: String?) async throws -> [(MemberID, MemberState)] {
    try await members().filter { $0.0.scope == scope }
  }

  /// Searches ``members(inScope:)``; stores with an index on members do better.
  public func state(of member: MemberID) async throws -> MemberState? {
    try await members(inScope: member.scope).first { $0.0 == member }?.1
  }
}
