public import Laurel
import LaurelReplay

/// The final state of a run, in the shape of `laurel simulate`'s JSON report:
/// counts, then every member as a ``MemberProfile``.
public struct SimulationReport: Sendable {
  public var scheme: String
  public var scoped: Bool
  /// The actions' counts, with what they produced (``EventCounts/notifications``).
  public var events: EventCounts
  public var members: [MemberProfile]
  /// What the applied actions produced for members: `events.notifications`.
  public var memberEvents: MemberEventCounts { events.notifications }

  /// A report of members read from any store (sorted by scope then user).
  public init(
    rules: CompiledRules, members: [(MemberID, MemberState)], events: EventCounts = EventCounts()
  ) {
    self.init(rules: rules, profiles: members.map { rules.profile(of: $0.0, state: $0.1) }, events: events)
  }

  /// A report of profiles (sorted by scope then user).
  public init(
    rules: CompiledRules, profiles: [MemberProfile], events: EventCounts = EventCounts()
  ) {
    scheme = rules.scheme
    scoped = rules.isScoped
    self.events = events
    members = profiles
  }
}

extension Simulation {
  /// The report of the final state, members sorted by scope then user.
  public func report() -> SimulationReport {
    SimulationReport(rules: rules, members: state.sortedMembers(), events: counts)
  }
}
