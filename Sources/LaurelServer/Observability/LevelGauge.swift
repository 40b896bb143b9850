import Laurel
import Logging
import Metrics
import ServiceLifecycle

/// Recomputes `gamification.level.distribution` (members per level of the
/// seed ladder, over every community) periodically (seed 004 §13.2).
struct LevelGauge<S: AdminStore>: Service {
  let engine: Engine<S>
  let ladder: String
  let interval: Duration

  func run() async throws {
    guard let index = engine.rules.ladderNames.firstIndex(of: ladder) else { return }
    let count = engine.rules.tierNames(of: ladder)?.count ?? 0
    let gauges = (0...count).map { Gauge(label: "gamification.level.distribution", dimensions: [("level", "\($0)")]) }
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        if let members = try? await engine.store.members() {
          var counts = Array(repeating: 0, count: count + 1)
          for (id, state) in members {
            let rank = engine.rules.profile(of: id, state: state).tiers[index].rank
            counts[min(max(rank, 0), count)] += 1
          }
          for (gauge, n) in zip(gauges, counts) { gauge.record(n) }
        }
        try? await Task.sleep(for: interval)
      }
    }
  }
}
