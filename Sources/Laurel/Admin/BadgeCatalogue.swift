public import LaurelExpression

/// A badge as the admin catalogue lists it: the rules' badges (read-only)
/// and the ones admins create at run time (seed 000's special badges).
public struct CatalogueBadge: Sendable, Equatable, Codable {
  /// Where a badge comes from.
  public enum Kind: String, Sendable, Codable, CaseIterable {
    /// Declared in the rules, earned when its condition holds.
    case automatic
    /// Declared in the rules with `manual: true`: only an admin grants it.
    case manual
    /// Created by an admin at run time; granted by admins.
    case runtime
  }

  public var name: String
  public var title: String
  public var description: String?
  /// An image for clients (a runtime badge's; the rules' badges have none).
  public var imageURL: String?
  public var kind: Kind

  public init(name: String, title: String, description: String? = nil, imageURL: String? = nil, kind: Kind = .runtime) {
    self.name = name
    self.title = title
    self.description = description
    self.imageURL = imageURL
    self.kind = kind
  }

  /// Whether admins may edit it (runtime badges only: the others are in the rules).
  public var isEditable: Bool { kind == .runtime }
  /// Whether admins grant it (manual and runtime badges).
  public var isGranted: Bool { kind != .automatic }
}

/// Who granted a badge, when and why (kept with the grant, shown to admins).
public struct BadgeGrant: Sendable, Equatable, Codable {
  public var grantedBy: String
  public var at: Timestamp
  public var reason: String?
}

/// What granting a badge did.
public struct GrantResult: Sendable, Equatable {
  /// False when the member held the badge already: nothing changed.
  public var granted: Bool
  /// The badge as the member holds it (the earlier award when not granted now).
  public var award: BadgeAward
  /// The `badgeEarned` event to publish; nil when nothing changed.
  public var memberEvent: MemberEvent?
}

extension Engine {
  /// The rules' badges as catalogue entries.
  var declaredBadges: [CatalogueBadge] {
    rules.badges.map {
      CatalogueBadge(name: $0.name, title: $0.title, description: $0.summary, kind: $0.manual ? .manual : .automatic)
    }
  }
}

extension Engine {
  /// `profile` with what only an admin store knows: the runtime catalogue
  /// badges granted to the member (the rules' badges are in the member's
  /// state already) and the member's first and last activity.
  func addingRuntimeBadges(_ profile: MemberProfile) async throws -> MemberProfile {
    guard let admin = store as? any AdminStore else { return profile }
    return try await addingRuntimeBadges(profile, from: admin)
  }

  private func addingRuntimeBadges<A: AdminStore>(
    _ profile: MemberProfile, from store: A
  ) async throws
    -> MemberProfile
  {
    var profile = profile
    if let activity = try await store.activity(of: profile.member) {
      profile.firstActivity = activity.first
      profile.lastActivity = activity.last
    }
    for (badge, key, grant) in try await Engine<A>.grants(of: profile.member, in: store)
    where !rules.badges.contains(where: { $0.name == badge }) {
      let entry = try await store.settings(.badge, scope: nil, prefix: badge).first { $0.key.name == badge }
      let definition = SettingJSON.decode(CatalogueBadge.self, entry?.value)
      profile.badges.append(
        .init(
          badge: badge, title: definition?.title ?? badge, description: definition?.description, key: key,
          earnedAt: grant.at))
    }
    return profile
  }
}

extension Engine where S: AdminStore {
  /// Creates a runtime badge (no rule deploy needed), audited.
  ///
  /// - Throws: ``AdminError``: validation (name, title, description, image
  ///   URL), ``AdminError/Kind/conflict`` when a badge of that name exists.
  @discardableResult
  public func createBadge(
    _ badge: CatalogueBadge, by admin: String, at time: Timestamp = .now
  ) async throws
    -> CatalogueBadge
  {
    try await writeCatalogue(badge, creating: true, by: admin, at: time)
  }

  /// Replaces a runtime badge's title, description and image, audited.
  ///
  /// - Throws: ``AdminError``: validation, ``AdminError/Kind/notManual`` for a
  ///   badge of the rules (edit the rules instead), ``AdminError/Kind/unknownName``.
  @discardableResult
  public func updateBadge(
    _ badge: CatalogueBadge, by admin: String, at time: Timestamp = .now
  ) async throws
    -> CatalogueBadge
  {
    try await writeCatalogue(badge, creating: false, by: admin, at: time)
  }

  private func writeCatalogue(
    _ badge: CatalogueBadge, creating: Bool, by admin: String, at time: Timestamp
  ) async throws -> CatalogueBadge {
    let clean = try Self.validated(badge)
    guard !rules.badges.contains(where: { $0.name == clean.name }) else {
      throw creating
        ? AdminError(.conflict, "badge '\(clean.name)' is declared in the rules")
        : AdminError(.notManual, "badge '\(clean.name)' is declared in the rules: change it there")
    }
    let key = SettingKey(.badge, scope: nil, name: clean.name)
    let value = SettingJSON.encode(clean)
    try await store.transaction { tx in
      let before = try tx.setting(key)
      if creating, before != nil { throw AdminError(.conflict, "badge '\(clean.name)' exists already") }
      if !creating, before == nil { throw AdminError(.unknownName, "no badge '\(clean.name)' in the catalogue") }
      try tx.setSetting(key, to: value)
      try tx.appendAudit(
        AuditEntry(
          actor: admin, operation: creating ? "catalogue.create" : "catalogue.update", scope: nil, target: clean.name,
          before: before, after: value, reason: nil, at: time))
    }
    return clean
  }

  /// The catalogue: the rules' badges in declaration order, then the runtime
  /// ones by name; `kind` filters; one page, and how many there are.
  public func badgeCatalogue(
    kind: CatalogueBadge.Kind? = nil, limit: Int = 50, offset: Int = 0
  ) async throws -> (total: Int, badges: [CatalogueBadge]) {
    var all = declaredBadges
    all += try await runtimeBadges()
    if let kind { all = all.filter { $0.kind == kind } }
    return (all.count, Array(all.dropFirst(max(0, offset)).prefix(max(0, limit))))
  }

  /// One catalogue badge by name, or nil.
  public func catalogueBadge(_ name: String) async throws -> CatalogueBadge? {
    if let declared = declaredBadges.first(where: { $0.name == name }) { return declared }
    return try await runtimeBadges(prefix: name).first { $0.name == name }
  }

  func runtimeBadges(prefix: String = "") async throws -> [CatalogueBadge] {
    try await store.settings(.badge, scope: nil, prefix: prefix).compactMap {
      SettingJSON.decode(CatalogueBadge.self, $0.value)
    }
  }

  static func validated(_ badge: CatalogueBadge) throws(AdminError) -> CatalogueBadge {
    var problems: [AdminError.Problem] = []
    let name = badge.name
    if name.isEmpty || name.utf8.count > 64
      || !name.unicodeScalars.allSatisfy({
        $0.isASCII
          && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "_-.".unicodeScalars.contains($0))
      })
    {
      problems.append(.init(field: "name", message: "must be 1 to 64 letters, digits, '_', '-' or '.'"))
    }
    let title = Self.text(badge.title, field: "title", limit: 100, problems: &problems)
    if title == nil { problems.append(.init(field: "title", message: "must not be empty (after removing HTML tags)")) }
    let description = Self.text(badge.description, field: "description", limit: 500, problems: &problems)
    var image = badge.imageURL?.trimmingWhitespace()
    if image?.isEmpty == true { image = nil }
    if let url = image {
      let lower = url.lowercased()
      if !(lower.hasPrefix("https://") || lower.hasPrefix("http://")) || url.utf8.count > 2048
        || url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" })
      {
        problems.append(.init(field: "imageURL", message: "must be an http(s) URL of at most 2048 bytes"))
      }
    }
    guard problems.isEmpty else {
      throw AdminError(.validation, "the badge is not valid: \(problems.count) problem(s)", problems: problems)
    }
    return CatalogueBadge(name: name, title: title ?? "", description: description, imageURL: image, kind: .runtime)
  }
}
