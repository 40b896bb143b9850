public import Hummingbird
public import Laurel
public import Logging
import ServiceLifecycle
import Synchronization

/// `laurel serve`: the seeds' HTTP API over an engine and its admin store.
///
/// ```swift
/// let store = try SQLiteStore(path: "laurel.sqlite")
/// let engine = Engine(rules: rules, store: store)
/// let server = try await LaurelServer(
///   engine: engine, configuration: ServerConfiguration(tokens: TokenSettings(secret: secret)))
/// try await server.run()  // until SIGTERM: drains requests and the outbox, then returns
/// ```
///
/// Routes (see `schemas/openapi.json`): seed 004's member level, level
/// definitions and updates, course access and requirements under
/// `/api/communities/{id}` (or `/api` for a scheme without scopes); profiles,
/// ledgers and leaderboards beside them; seed 000's admin API under
/// `/admin`; ingestion at `/api/actions`; the event stream at `/api/events`;
/// `/health`, `/ready`, `/metrics`, `/openapi.json`.
public struct LaurelServer<S: AdminStore>: Sendable {
  public let configuration: ServerConfiguration
  let engine: Engine<S>
  let verifier: TokenVerifier
  let definitions: SchemeDefinitions
  /// The ladder, gate and progress map the seeds' endpoints use.
  let ladder: SchemeDefinitions.Ladder?
  let gate: SchemeDefinitions.Gate?
  let progress: SchemeDefinitions.Progress?
  let hub = EventHub()
  let batcher: CommitBatcher<S>
  let directory: CommunityDirectory<S>
  let levelCounts = LevelCounts()
  let actionDecoder: ActionDecoder
  let logger: Logger

  /// - Throws: ``ServerConfigurationError`` when the configuration names a
  ///   ladder, gate or progress map the rules lack; ``TokenSettingsError``.
  public init(
    engine: Engine<S>, configuration: ServerConfiguration, logger: Logger = Logger(label: "laurel.serve")
  ) async throws {
    var engine = engine
    engine.publishesEvents = true
    self.engine = engine
    self.configuration = configuration
    self.logger = logger
    verifier = try await TokenVerifier(configuration.tokens)
    definitions = engine.rules.definitions
    ladder = try Self.pick(configuration.ladder, in: definitions.ladders, \.name, "ladder") {
      $0.first { $0.overridable } ?? $0.first
    }
    gate = try Self.pick(configuration.gate, in: definitions.gates, \.name, "gate") { $0.first }
    progress = try Self.pick(configuration.progress, in: definitions.progress, \.name, "progress map") { $0.first }
    let hub = self.hub
    batcher = CommitBatcher(engine: engine) { outcomes in
      Observability.record(outcomes, logger: logger)
      hub.announce()
    }
    directory = CommunityDirectory(store: engine.store)
    actionDecoder = ActionDecoder(rules: engine.rules)
  }

  private static func pick<T>(
    _ name: String?, in items: [T], _ key: KeyPath<T, String>, _ what: String, default choose: ([T]) -> T?
  ) throws -> T? {
    guard let name else { return choose(items) }
    guard let found = items.first(where: { $0[keyPath: key] == name }) else {
      throw ServerConfigurationError("the rules declare no \(what) '\(name)'")
    }
    return found
  }

  /// The router with every route and middleware.
  func router() -> Router<ServerContext> {
    let router = Router(context: ServerContext.self)
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: TracingMiddleware())
    router.add(middleware: LogRequestsMiddleware(.debug))
    addOperationsRoutes(to: router)
    let authenticated = router.group().add(middleware: BearerAuthenticator(verifier: verifier))
    addCommunityRoutes(to: authenticated)
    addAdminRoutes(to: authenticated)
    addIngestionRoutes(to: authenticated)
    addEventRoutes(to: authenticated)
    return router
  }

  /// The Hummingbird application: the HTTP server plus webhook delivery and
  /// the level gauge, started and stopped together (SIGTERM or SIGINT stops
  /// accepting, finishes requests in flight, ends event streams, drains the
  /// outbox to webhooks within ``ServerConfiguration/drainTimeout``).
  /// `onServerRunning` receives the port listened on.
  public func application(
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
  ) -> some ApplicationProtocol {
    var services: [any Service] = []
    for webhook in configuration.webhooks {
      services.append(
        WebhookDelivery(
          store: engine.store, webhook: webhook, hub: hub, drainTimeout: configuration.drainTimeout, logger: logger))
    }
    if let interval = configuration.distributionInterval, let ladder {
      services.append(LevelGauge(engine: engine, ladder: ladder.name, interval: interval))
    }
    return Application(
      router: router(),
      server: .http1(configuration: .init(idleTimeout: .nanoseconds(configuration.idleTimeout.nanoseconds))),
      configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "laurel"),
      services: services,
      onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
      logger: logger)
  }

  /// Runs until SIGTERM or SIGINT.
  public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
    try await application(onServerRunning: onServerRunning).runService()
  }
}

/// A configuration the rules cannot serve.
public struct ServerConfigurationError: Error, CustomStringConvertible, Sendable {
  public var description: String
  init(_ description: String) { self.description = description }
}

extension Duration {
  var nanoseconds: Int64 {
    let (seconds, attoseconds) = components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
  }
}
