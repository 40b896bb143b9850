import Dispatch
import GRDB
import Synchronization
@_spi(StoreAdapter) public import Laurel

/// Applies a long history to a ``SQLiteStore`` in batches, writing each batch
/// on a thread of its own while the engine plans the next one, so SQLite's
/// work and the engine's overlap on two cores. `laurel ingest` uses it.
///
/// ```swift
/// let importer = try SQLiteImporter<Int>(engine: Engine(rules: rules, store: store))
/// for (number, batch) in batches.enumerated() {
///   for done in try await importer.submit(batch, tag: number) { report(done.tag, done.outcomes) }
/// }
/// for done in try await importer.finish() { report(done.tag, done.outcomes) }
/// ```
///
/// Each batch is one transaction, as with ``Engine/applyBatch(_:)``, and the
/// results are the same. A batch is planned against the states the batch
/// before it produced, on premises the writer checks before it writes
/// anything (see ``BatchPlan``): no other connection committed meanwhile
/// (SQLite's `data_version`), its ids and once-per keys are new, and the
/// members it changes still have the versions it read (which also catches a
/// write through the same store in this process). When one fails, the batch
/// writes nothing and is applied again the ordinary way, and so is the batch
/// planned on top of it. Batches stay ordinary while they meet duplicates or
/// other writers, as when an interrupted import is run again.
public final class SQLiteImporter<Tag: Sendable> {
  /// A batch whose transaction committed, with its outcomes.
  public struct Completed: Sendable {
    public var tag: Tag
    /// One per action, in order.
    public var outcomes: [Outcome]
  }

  /// A batch planned and handed to the writer.
  private struct Pending {
    var actions: [PreparedAction]
    var undecodable: Int
    var tag: Tag
    var outcomes: [Outcome]
    var plan: BatchPlan
    var write: BackgroundWrite
  }

  public let engine: Engine<SQLiteStore>
  private var store: SQLiteStore { engine.store }
  /// A read-only connection for planning (nil for an in-memory store, which only applies batches in order).
  private let reader: DatabaseQueue?
  private let writeQueue = DispatchQueue(label: "laurel.sqlite.importer")
  private let planQueue = DispatchQueue(label: "laurel.sqlite.importer.plan")
  private var inFlight: Pending?
  /// False while batches meet duplicates or other writers: then they are applied in order.
  private var plansAhead = false
  /// Batches applied the ordinary way, written as planned ahead, and planned
  /// but then applied the ordinary way after all (for tests and tuning).
  public private(set) var statistics = (ordinary: 0, planned: 0, replanned: 0)
  /// Runs on the writer's thread before each planned batch is written (tests
  /// hold writes back with it, to plan batches while the one before is in flight).
  var beforeEachWrite: @Sendable () -> Void = {}

  /// Smaller batches are applied in order: handing a few actions to another
  /// thread costs more than it overlaps (`laurel ingest --batch 1` went from
  /// 8.5k to 5.3k actions/s when every action was planned ahead). Tests lower it.
  var smallestPlannedBatch = 64

  public init(engine: Engine<SQLiteStore>) throws {
    self.engine = engine
    reader = try engine.store.readOnlyConnection()
  }

  /// Applies one batch (`undecodable` counts lines the caller could not
  /// decode, for the store's running counts). Returns the batches that
  /// committed meanwhile: this one, the one before it, both or neither.
  public func submit(_ actions: [PreparedAction], undecodable: Int = 0, tag: Tag) async throws -> [Completed] {
    guard plansAhead, actions.count >= smallestPlannedBatch, let reader else {
      var done = try await drain().completed
      done.append(try await applyInOrder(actions, undecodable: undecodable, tag: tag))
      return done
    }
    let before = inFlight?.plan
    let planned: (outcomes: [Outcome], plan: BatchPlan)
    store.cache.planStarted()
    do {
      // On a queue of the importer's own: planning reads the file.
      planned = try await planQueue.run { [engine, store] in
        try reader.inDatabase { db in
          var tx = PlanningTransaction(
            reader: db, cache: store.cache, overrides: store.overrideCache, before: before,
            rulesVersion: store.currentRulesVersion,
            layout: store.currentLayout)
          let outcomes = try engine.run(actions, in: &tx)
          return (outcomes, tx.finish(counts: EventCounts(outcomes, undecodable: undecodable)))
        }
      }
    } catch {
      // A failed read: apply this batch the ordinary way, which reports the error if it persists.
      store.cache.planEnded()
      var done = try await drain().completed
      done.append(try await applyInOrder(actions, undecodable: undecodable, tag: tag))
      return done
    }
    var (done, previousFailed) = try await drain()
    if previousFailed {
      // This batch was planned on top of one that was not written: drop the plan.
      statistics.replanned += 1
      store.cache.planEnded()
      done.append(try await applyInOrder(actions, undecodable: undecodable, tag: tag))
      return done
    }
    statistics.planned += 1
    let plan = planned.plan
    let write = BackgroundWrite(on: writeQueue) { [store, beforeEachWrite] in
      defer { store.cache.planEnded() }
      beforeEachWrite()
      try store.write(plan)
    }
    inFlight = Pending(
      actions: actions, undecodable: undecodable, tag: tag, outcomes: planned.outcomes, plan: plan, write: write)
    return done
  }

  /// Waits for the batch still being written; returns it (applied again the
  /// ordinary way if its plan was outdated). Call once after the last batch.
  public func finish() async throws -> [Completed] { try await drain().completed }

  /// Waits for the batch in flight; `failed` when its plan was outdated and it
  /// was applied again the ordinary way.
  private func drain() async throws -> (completed: [Completed], failed: Bool) {
    guard let previous = inFlight else { return ([], false) }
    inFlight = nil
    do {
      try await previous.write.wait()
      return ([Completed(tag: previous.tag, outcomes: previous.outcomes)], false)
    } catch {
      statistics.replanned += 1
      store.cache.removeAll()
      plansAhead = false
      return ([try await applyInOrder(previous.actions, undecodable: previous.undecodable, tag: previous.tag)], true)
    }
  }

  /// One batch in one ordinary transaction; the next batches are planned
  /// ahead when this one met no duplicate and no other writer.
  private func applyInOrder(_ actions: [PreparedAction], undecodable: Int, tag: Tag) async throws -> Completed {
    let alone = Flag()
    let outcomes = try await engine.applyBatch(actions) { tx, outcomes in
      alone.set(tx.freshness != .stale)
      try tx.add(EventCounts(outcomes, undecodable: undecodable))
    }
    statistics.ordinary += 1
    plansAhead = alone.value && !outcomes.contains { $0.status == .duplicate }
    return Completed(tag: tag, outcomes: outcomes)
  }
}

/// A boolean set inside a transaction and read after it.
private final class Flag: Sendable {
  private let state = Mutex(false)
  func set(_ value: Bool) { state.withLock { $0 = value } }
  var value: Bool { state.withLock { $0 } }
}

extension DispatchQueue {
  /// Runs `work` on this queue and waits for it without holding a thread of
  /// the cooperative pool.
  func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      async { continuation.resume(with: Result { try work() }) }
    }
  }
}

/// A write running on a serial queue; `wait()` returns when it is done and
/// rethrows its error.
final class BackgroundWrite: Sendable {
  private let group = DispatchGroup()
  /// Set on the writer's thread, read by the waiting task: behind a lock, not
  /// only behind the group's ordering (ThreadSanitizer saw no happens-before
  /// through the continuation).
  private let failure = Mutex<(any Error)?>(nil)

  init(on queue: DispatchQueue, _ work: @escaping @Sendable () throws -> Void) {
    queue.async(group: group) { [self] in
      do { try work() } catch { failure.withLock { $0 = error } }
    }
  }

  func wait() async throws {
    await withCheckedContinuation { continuation in
      group.notify(queue: .global()) { continuation.resume() }
    }
    if let error = failure.withLock({ $0 }) { throw error }
  }
}
