@_spi(StoreAdapter) import Laurel
import Synchronization

/// The tier overrides of every scope, as the engine asks for them on each
/// action of a scheme with an `overridable` ladder: read from the `settings`
/// table once, then from memory until this process changes a tier setting
/// or another connection commits (the table is small; reloading is cheap).
final class OverrideCache: Sendable {
  private struct Contents {
    var overrides: [String?: TierOverrides]?
    /// Bumped whenever the cache is emptied: a batch planned under older
    /// overrides is not written (see ``BatchPlan``).
    var generation = 0
  }

  private let contents = Mutex(Contents())

  /// The overrides of `scope`, loading every scope's with `load` when
  /// emptied. Asked on every action of rules with an overridable ladder: a
  /// store without overrides answers at the first check.
  func overrides(_ scope: String?, load: () throws -> [String?: TierOverrides]) rethrows -> TierOverrides? {
    let known: TierOverrides?? = contents.withLock { contents in
      guard let overrides = contents.overrides else { return nil }
      return overrides.isEmpty ? .some(nil) : .some(overrides[scope])
    }
    if let known { return known }
    let generation = contents.withLock { $0.generation }
    let loaded = try load()
    // Kept only if nothing emptied the cache meanwhile (the load may predate that change).
    contents.withLock { if $0.generation == generation { $0.overrides = loaded } }
    return loaded[scope]
  }

  /// Forgets what it holds (a tier setting changed, or another connection wrote).
  func removeAll() {
    contents.withLock {
      $0.overrides = nil
      $0.generation += 1
    }
  }

  var generation: Int { contents.withLock { $0.generation } }
}
