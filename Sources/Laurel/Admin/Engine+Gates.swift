public import LaurelExpression

/// Whether a member may open a gated resource (seed 004's course access).
public struct GateAccess: Sendable, Equatable {
  public var gate: String
  public var resource: String
  public var hasAccess: Bool
  /// The rank the resource needs; nil when it needs none.
  public var requiredRank: Int?
  /// That rank's name in the member's scope; nil when no rank is needed.
  public var requiredName: String?
  /// The member's rank on the gate's ladder (a new member's for a stranger).
  public var currentRank: Int
  /// The gate's message with `{rank}` and `{name}` filled in ("Unlock at
  /// Level 3 - Builder"); nil when the member has access.
  public var message: String?
}

extension Engine where S: AdminStore {
  /// Requires rank `rank` of the gate's ladder for `resource` in `scope`
  /// (nil removes the requirement), audited.
  ///
  /// - Throws: ``AdminError``: an unknown gate, a rank outside 1…(tier count)
  ///   (``AdminError/Kind/validation`` on field `rank`), a scope mismatch.
  public func setRequirement(
    gate: String, resource: String, scope: String?, rank: Int?, by admin: String, reason: String? = nil,
    at time: Timestamp = .now
  ) async throws {
    let declaration = try gateDeclaration(gate, scope: scope)
    let tierCount = rules.ladders.first { $0.name == declaration.ladder.text }?.tiers.count ?? 0
    if let rank, !(1...max(1, tierCount)).contains(rank) {
      throw AdminError.invalid("rank", "must be between 1 and \(tierCount), got \(rank)")
    }
    guard !resource.isEmpty, resource.utf8.count <= 200 else {
      throw AdminError.invalid("resource", "must be 1 to 200 bytes long")
    }
    let key = SettingKey(.gate, scope: scope, name: "\(gate)/\(resource)")
    try await store.transaction { tx in
      let before = try tx.setting(key)
      let after = rank.map(String.init)
      guard before != after else { return }
      try tx.setSetting(key, to: after)
      try tx.appendAudit(
        AuditEntry(
          actor: admin, operation: rank == nil ? "gate.remove" : "gate.set", scope: scope,
          target: "\(gate)/\(resource)",
          before: before, after: after, reason: reason, at: time))
    }
  }

  /// The ranks required by `gate` in `scope`, by resource (sorted).
  public func requirements(gate: String, scope: String?) async throws -> [(resource: String, rank: Int)] {
    _ = try gateDeclaration(gate, scope: scope)
    return try await store.settings(.gate, scope: scope, prefix: "\(gate)/").compactMap { key, value in
      Int(value).map { (String(key.name.dropFirst(gate.count + 1)), $0) }
    }
  }

  /// Whether `user` (in `scope`) may open `resource` of `gate`: a resource
  /// with no requirement is open; a member the store has never seen has a
  /// new member's rank.
  public func access(gate: String, resource: String, scope: String?, user: String) async throws -> GateAccess {
    let declaration = try gateDeclaration(gate, scope: scope)
    let key = SettingKey(.gate, scope: scope, name: "\(gate)/\(resource)")
    let required = try await store.settings(.gate, scope: scope, prefix: key.name).first { $0.key == key }
      .flatMap { Int($0.value) }
    let profile = try await profile(of: MemberID(scope: scope, user: user))
    let current = profile.tier(declaration.ladder.text)?.rank ?? 0
    guard let required, current < required else {
      return GateAccess(
        gate: gate, resource: resource, hasAccess: true, requiredRank: required,
        requiredName: try await required.asyncMap { try await tierName(declaration.ladder.text, $0, scope: scope) },
        currentRank: current, message: nil)
    }
    let name = try await tierName(declaration.ladder.text, required, scope: scope)
    let message = declaration.message.replacing("{rank}", with: String(required)).replacing("{name}", with: name ?? "")
    return GateAccess(
      gate: gate, resource: resource, hasAccess: false, requiredRank: required, requiredName: name,
      currentRank: current, message: message)
  }

  private func tierName(_ ladder: String, _ rank: Int, scope: String?) async throws -> String? {
    let tiers = try await tierSettings(try ladderIndex(ladder), scope: scope)
    return rank >= 1 && rank <= tiers.count ? tiers[rank - 1].name : nil
  }

  private func gateDeclaration(_ name: String, scope: String?) throws(AdminError) -> GateDeclaration {
    try checkScope(scope)
    guard let gate = rules.gates.first(where: { $0.name.text == name }) else {
      throw AdminError(
        .unknownName, "unknown gate '\(name)'; declared gates: \(rules.gates.map(\.name.text).joined(separator: ", "))")
    }
    return gate
  }
}

extension Optional {
  fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
    guard let self else { return nil }
    return try await transform(self)
  }
}
