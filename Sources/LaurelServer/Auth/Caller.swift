/// Who is calling, as a verified token says: the subject, their role in each
/// community, and their global roles.
public struct Caller: Sendable, Equatable {
  /// A role in one community (seed 004 §9.2).
  public enum CommunityRole: String, Sendable, Codable {
    case member
    case admin
  }

  /// The user id (`sub`).
  public var subject: String
  /// Roles by community id (`communities` claim).
  public var communities: [String: CommunityRole]
  /// The global admin role (`roles: ["admin"]`): seed 000's admin API, and
  /// every community.
  public var isAdmin: Bool
  /// The service role (`roles: ["service"]`): the host's backend, which
  /// ingests actions and reads the event stream; members never hold it.
  public var isService: Bool

  public init(
    subject: String, communities: [String: CommunityRole] = [:], isAdmin: Bool = false, isService: Bool = false
  ) {
    self.subject = subject
    self.communities = communities
    self.isAdmin = isAdmin
    self.isService = isService
  }

  /// Whether the caller may read `scope` (a member or admin of the
  /// community, or a global admin). A global scheme (nil) is readable by anyone signed in.
  func mayRead(_ scope: String?) -> Bool {
    guard let scope else { return true }
    return isAdmin || communities[scope] != nil
  }

  /// Whether the caller administers `scope` (its admin, or a global admin).
  func mayAdminister(_ scope: String?) -> Bool {
    guard let scope else { return isAdmin }
    return isAdmin || communities[scope] == .admin
  }
}
