import Logging
import Laurel
import Metrics
import Prometheus
import Synchronization

/// The server's metrics (seed 004 §13.2), named as the seed names them and
/// exported for Prometheus at `/metrics`. Labels never carry a user id:
/// points are labelled by rule (`source`), level-ups by ladder, the
/// distribution by level.
public enum Observability {
  /// The registry `/metrics` renders.
  static let registry = PrometheusCollectorRegistry()
  private static let bootstrapped = Mutex(false)

  /// Installs the Prometheus metrics backend, once per process (swift-metrics
  /// allows one); later calls do nothing. `laurel serve` calls it at start.
  public static func bootstrap() {
    let first = bootstrapped.withLock { done in
      defer { done = true }
      return !done
    }
    if first {
      var factory = PrometheusMetricsFactory(registry: registry)
      factory.defaultDurationHistogramBuckets = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
      ]
      MetricsSystem.bootstrap(factory)
    }
  }

  /// The Prometheus text exposition of every metric.
  static func exposition() -> String {
    registry.emitToString()
  }

  /// Logs and counts what committed outcomes did (seed 004 §13.1): points
  /// awarded and deducted (INFO, with user, community, points, new total
  /// and source), level-ups (INFO), duplicates (DEBUG).
  static func record(_ outcomes: [Outcome], logger: Logger) {
    for outcome in outcomes {
      switch outcome.status {
      case .applied: break
      case .duplicate:
        logger.debug("duplicate action ignored", metadata: ["action_id": "\(outcome.actionID)"])
        continue
      case .ignored, .rejected: continue
      }
      for entry in outcome.ledger {
        let awarded = entry.amount > 0
        Counter(
          label: awarded ? "gamification.points.awarded" : "gamification.points.deducted",
          dimensions: [
            ("source", entry.rule), ("currency", entry.currency),
          ]
        ).increment(by: Int(clamping: abs(entry.amount)))
        logger.info(
          awarded ? "points awarded" : "points deducted",
          metadata: [
            "user_id": "\(entry.member.user)", "community_id": "\(entry.member.scope ?? "")",
            "points": "\(abs(entry.amount))", "new_total": "\(entry.balance)", "source": "\(entry.rule)",
            "currency": "\(entry.currency)",
          ])
      }
      recordTierChanges(outcome.tierChanges, logger: logger)
    }
  }

  static func recordTierChanges(_ changes: [TierChange], logger: Logger) {
    for change in changes where change.to > change.from {
      Counter(label: "gamification.levelups.total", dimensions: [("ladder", change.ladder)]).increment(
        by: change.to - change.from)
      logger.info(
        "member leveled up",
        metadata: [
          "user_id": "\(change.member.user)", "community_id": "\(change.member.scope ?? "")",
          "old_level": "\(change.from)", "new_level": "\(change.to)", "ladder": "\(change.ladder)",
        ])
    }
  }
}
