import Laurel
import Synchronization

/// Level definitions with their member shares, kept per community for up
/// to `maxAge` (1 s): counting a 100,000-member community reads every member
/// (about half a second), so a stale answer is served while one refresh runs
/// in the background — shares may lag that long behind, as seed 004's
/// "periodic" distribution allows. A level change in this server drops the
/// community's entry at once; the caller's own level is always read fresh.
final class LevelCounts: Sendable {
  private struct Entry {
    var definitions: LevelDefinitions
    var computed: ContinuousClock.Instant
    var refreshing = false
  }
  private let entries = Mutex<[String?: Entry]>([:])
  let maxAge: Duration

  init(maxAge: Duration = .seconds(1)) { self.maxAge = maxAge }

  func definitions(
    _ scope: String?, compute: @escaping @Sendable () async throws -> LevelDefinitions
  ) async throws -> LevelDefinitions {
    let now = ContinuousClock.now
    let (cached, refresh) = entries.withLock { entries -> (LevelDefinitions?, Bool) in
      guard var entry = entries[scope] else { return (nil, false) }
      guard now - entry.computed >= maxAge, !entry.refreshing else { return (entry.definitions, false) }
      entry.refreshing = true
      entries[scope] = entry
      return (entry.definitions, true)
    }
    if let cached {
      if refresh {
        Task {
          if let fresh = try? await compute() { self.store(scope, fresh) } else { self.invalidate(scope) }
        }
      }
      return cached
    }
    let fresh = try await compute()
    store(scope, fresh)
    return fresh
  }

  private func store(_ scope: String?, _ definitions: LevelDefinitions) {
    entries.withLock { entries in
      if entries.count > 10_000 { entries.removeAll() }
      entries[scope] = Entry(definitions: definitions, computed: .now)
    }
  }

  /// Drops a community's entry (its levels changed).
  func invalidate(_ scope: String?) {
    _ = entries.withLock { $0.removeValue(forKey: scope) }
  }
}
