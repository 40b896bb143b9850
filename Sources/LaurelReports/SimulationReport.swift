public import Laurel
import LaurelReplay

/// The final state of a run, in the shape of `laurel simulate`'s JSON report:
/// counts, then every member as a ``MemberProfile``.
public struct SimulationReport: Sendable {
  public var scheme: String
  public var scoped: Bool
  public var events: EventCounts
  public var memberEvents: MemberEventCounts
  public var members: [MemberProfile]

  /// A report of members read from any store (sorted by scope then user).
  public init(
    rules: CompiledRules, members: [(MemberID, MemberState)], events: EventCounts = EventCounts(),
    memberEvents: MemberEventCounts = MemberEventCounts()
  ) {
    self.init(
      rules: rules, profiles: members.map { rules.profile(of: $0.0, state: $0.1) }, events: events,
      memberEvents: memberEvents)
  }

  /// A report of profiles (sorted by scope then user).
  public init(
    rules: CompiledRules, profiles: [MemberProfile], events: EventCounts = EventCounts(),
    memberEvents: MemberEventCounts = MemberEventCounts()
  ) {
    scheme = rules.scheme
    scoped = rules.isScoped
    self.events = events
    self.memberEvents = memberEvents
    members = profiles
  }
}

extension Simulation {
  /// The report of the final state, members sorted by scope then user.
  public func report() -> SimulationReport {
    SimulationReport(rules: rules, members: state.sortedMembers(), events: counts, memberEvents: memberEvents)
  }
}
