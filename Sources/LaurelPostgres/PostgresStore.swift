import Foundation
@_spi(StoreAdapter) public import Laurel
import LaurelExpression
public import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Laurel's shared store: PostgreSQL through postgres-nio, for several app
/// instances (or `laurel serve` processes) sharing one state.
///
/// ```swift
/// let store = try await PostgresStore(url: "postgres://laurel@db.internal/laurel")
/// let engine = Engine(rules: rules, store: store)
/// try await engine.apply(json: line)
/// await store.close()
/// ```
///
/// **One round trip per batch each way.** A batch's transaction reads what
/// its ``BatchFootprint`` forecasts in one query (`laurel_read`), runs the
/// rules against those rows in this process, and writes every effect —
/// members (each checked against the version it was read at), action log,
/// once-per keys, ledger, balances, badges, counts, settings, audit, outbox
/// — in one statement (`laurel_write`), which is one transaction on the
/// server. Rows the forecast missed are read in one more query and the
/// batch runs again; a member changed by another writer in between, a
/// serialization failure or a deadlock aborts the write, and the batch is
/// read again (only states whose version moved travel) and re-planned, so
/// the result is always that of some serial order. Member states are kept
/// in this process by version: an unchanged member costs its version, not
/// its state.
public final class PostgresStore: AdminStore {
  public typealias Transaction = PostgresTransaction

  let client: PostgresClient
  private let runner: Task<Void, Never>
  public let configuration: PostgresConfiguration
  let logger: Logger
  /// Member states by version, shared by this process's batches.
  let cache = MemberVersions()
  /// Held by a batch re-planned after a conflict (see ``transaction(reading:_:)``).
  let retryLane = AsyncLock()
  let rulesVersion = Mutex<Int64?>(nil)
  let layout = Mutex<StateLayout?>(nil)
  /// How often a batch is re-planned after conflicts before the store gives up.
  static let maximumAttempts = 50

  /// Opens the database `url` names (see ``PostgresConfiguration``),
  /// creating or upgrading Laurel's tables.
  ///
  /// Throws ``OpenError`` when the server cannot be reached in the connect
  /// timeout, refuses the credentials, or holds a schema written by a newer Laurel.
  public convenience init(url: String, logger: Logger = Logger(label: "laurel.postgres")) async throws {
    let configuration: PostgresConfiguration
    do { configuration = try PostgresConfiguration(url: url) } catch let error as PostgresConfiguration.Invalid {
      throw OpenError(kind: .invalidURL, description: error.description)
    }
    try await self.init(configuration: configuration, logger: logger)
  }

  public init(configuration: PostgresConfiguration, logger: Logger = Logger(label: "laurel.postgres")) async throws {
    self.configuration = configuration
    self.logger = logger
    // The pool's own messages (each failed reconnection) only when they are errors.
    var background = logger
    background.logLevel = max(logger.logLevel, .error)
    client = PostgresClient(configuration: Self.clientConfiguration(configuration), backgroundLogger: background)
    runner = Task { [client] in await client.run() }
    do {
      // Connecting, then creating or upgrading the tables (whose statements the statement timeout bounds).
      let deadline = configuration.connectTimeout + configuration.statementTimeout
      try await Self.withTimeout(deadline, configuration) { [client] in
        try await PostgresSchema.prepare(client, configuration: configuration, logger: logger)
      }
      let (version, layout) = try await readAdoptedRules()
      rulesVersion.withLock { $0 = version }
      self.layout.withLock { $0 = layout }
    } catch {
      runner.cancel()
      if let error = error as? OpenError { throw error }
      throw OpenError(kind: .unreachable, description: "\(configuration): \(Self.explain(error))")
    }
  }

  deinit { runner.cancel() }

  /// Closes every connection; the store cannot be used afterwards.
  public func close() async {
    runner.cancel()
    _ = await runner.value
  }

  private static func clientConfiguration(_ configuration: PostgresConfiguration) -> PostgresClient.Configuration {
    var client: PostgresClient.Configuration
    if let folder = configuration.socketFolder {
      client = .init(
        unixSocketPath: "\(folder)/.s.PGSQL.\(configuration.port)", username: configuration.user,
        password: configuration.password, database: configuration.database)
    } else {
      let tls: PostgresClient.Configuration.TLS =
        switch configuration.tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
      client = .init(
        host: configuration.host, port: configuration.port, username: configuration.user,
        password: configuration.password, database: configuration.database, tls: tls)
    }
    client.options.maximumConnections = configuration.poolSize
    client.options.connectTimeout = configuration.connectTimeout
    let milliseconds = configuration.statementTimeout.components.seconds * 1000
    var parameters = [("statement_timeout", "\(milliseconds)"), ("application_name", "laurel")]
    if let schema = configuration.schema { parameters.append(("search_path", schema)) }
    client.options.additionalStartupParameters = parameters
    return client
  }

  /// Runs `work`, or throws ``OpenError`` when it takes longer than `timeout`
  /// (a pool keeps trying to connect to a server that is down).
  static func withTimeout<R: Sendable>(
    _ timeout: Duration, _ configuration: PostgresConfiguration, _ work: @escaping @Sendable () async throws -> R
  ) async throws -> R {
    try await withThrowingTaskGroup(of: R?.self) { group in
      group.addTask { try await work() }
      group.addTask {
        try await Task.sleep(for: timeout)
        return nil
      }
      defer { group.cancelAll() }
      guard let first = try await group.next(), let result = first else {
        throw OpenError(
          kind: .unreachable,
          description:
            "\(configuration): no answer from the server within \(timeout) (the URL's connect_timeout + statement_timeout): "
            + "check that it runs and accepts connections at this address; on a slow network or a busy host, raise connect_timeout"
        )
      }
      return result
    }
  }

  /// The PostgreSQL store reads a batch's members ahead.
  public var wantsFootprint: Bool { true }

  /// The layout of the stored states, recorded when rules are adopted.
  public var stateLayout: StateLayout? { layout.withLock { $0 } }

  var currentRulesVersion: Int64? { rulesVersion.withLock { $0 } }

  /// Runs `body` as described in the type's documentation: read, run,
  /// write, and on a miss or a conflict read again and run again.
  public func transaction<R: Sendable>(
    reading footprint: BatchFootprint, _ body: @escaping @Sendable (inout PostgresTransaction) throws -> R
  ) async throws -> R {
    var request = ReadRequest(footprint)
    var reads = BatchReads()
    var conflicts = 0
    var rounds = 0
    var holdsLane = false
    defer { if holdsLane { retryLane.unlock() } }
    while true {
      rounds += 1
      if !request.isEmpty {
        do { try await read(request, into: &reads) } catch let error as WriteError { throw error } catch let error
          as OpenError
        { throw error } catch {
          throw WriteError(description: "\(configuration): the batch's rows could not be read: \(Self.explain(error))")
        }
      }
      var tx = PostgresTransaction(reads: reads, rulesVersion: currentRulesVersion)
      let result: R
      do {
        result = try body(&tx)
      } catch {
        // An error met while running on missing rows may not stand once they are read.
        guard !tx.missing.isEmpty, rounds < Self.maximumAttempts else { throw error }
        request = tx.missing
        continue
      }
      if !tx.missing.isEmpty {
        guard rounds < Self.maximumAttempts else {
          throw WriteError(
            description: "\(configuration): the batch kept needing rows it had not read; nothing was written")
        }
        request = tx.missing
        continue
      }
      do {
        try await write(tx)
        remember(tx)
        return result
      } catch let error as PSQLError where Self.isConflict(error) {
        conflicts += 1
        guard conflicts < Self.maximumAttempts else {
          throw WriteError(
            description:
              "\(configuration): the batch conflicted with other writers \(conflicts) times; nothing was written (\(Self.explain(error)))"
          )
        }
        logger.debug("laurel: batch conflicted, re-planning", metadata: ["attempt": "\(conflicts)"])
        // Everything it read is read again (states only where the version moved).
        request = Self.everything(tx)
        reads = BatchReads()
        if !holdsLane {
          // This process's batches that conflicted retry one at a time, so
          // they stop invalidating each other; other processes' writers are
          // waited out with a growing, random pause.
          await retryLane.lock()
          holdsLane = true
        } else {
          try await Task.sleep(for: .milliseconds(Int.random(in: 0...min(100, conflicts * 10))))
        }
      } catch let error as WriteError {
        throw error
      } catch {
        // A lost connection, a timeout, a refusal: the statement's transaction did not commit.
        throw WriteError(
          description: "\(configuration): the batch was rolled back, nothing was written: \(Self.explain(error))")
      }
    }
  }

  /// Every read a transaction made, to make again after a conflict.
  private static func everything(_ tx: PostgresTransaction) -> ReadRequest {
    var request = ReadRequest()
    request.members = tx.keys
    request.actionIDs = tx.reads.askedActions.sorted()
    request.once = Array(tx.reads.askedOnce)
    request.tierScopes = Array(tx.reads.tiers.keys)
    request.settings = Array(tx.reads.settings.keys)
    request.scopes = Array(tx.reads.scopes.keys)
    request.formUnion(tx.missing)
    return request
  }

  /// Keeps the states a committed batch wrote, under their new versions.
  private func remember(_ tx: PostgresTransaction) {
    cache.update { entries in
      for h in tx.keys.indices {
        if let version = tx.versions[h] {
          entries[tx.keys[h]] = (tx.dirty[h] ? version + 1 : version, tx.states[h])
        } else {
          entries[tx.keys[h]] = (1, tx.states[h])
        }
      }
    }
  }
}

/// Member states this process has seen, by version (a state is valid for
/// exactly the version it was read or written at).
final class MemberVersions: Sendable {
  private let entries = Mutex<[MemberKey: (version: Int64, state: MemberState)]>([:])
  /// More than this many members and the cache starts over (it is only a saving).
  static let capacity = 2_000_000

  func update(_ body: (inout [MemberKey: (version: Int64, state: MemberState)]) -> Void) {
    entries.withLock {
      if $0.count > Self.capacity { $0.removeAll() }
      body(&$0)
    }
  }

  /// The cached entries of `keys`.
  func entries(_ keys: [MemberKey]) -> [MemberKey: (version: Int64, state: MemberState)] {
    entries.withLock { all in
      var found: [MemberKey: (version: Int64, state: MemberState)] = [:]
      for key in keys { if let entry = all[key] { found[key] = entry } }
      return found
    }
  }

  func removeAll() { entries.withLock { $0.removeAll() } }
}

/// A lock that suspends, never blocks, its waiters; first come, first served.
final class AsyncLock: Sendable {
  private let state = Mutex<(locked: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

  func lock() async {
    await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
      let acquired = state.withLock { state -> Bool in
        guard state.locked else {
          state.locked = true
          return true
        }
        state.waiters.append(waiter)
        return false
      }
      if acquired { waiter.resume() }
    }
  }

  func unlock() {
    let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
      guard !state.waiters.isEmpty else {
        state.locked = false
        return nil
      }
      return state.waiters.removeFirst()
    }
    next?.resume()
  }
}
