import LaurelExpression

/// What a batch of actions is going to read, told to the store before its
/// transaction runs, so that a store across a network can fetch all of it in
/// one round trip instead of one query per member.
///
/// A footprint is a forecast, not a promise: it lists the actions' ids, the
/// members they name (each actor, and each recipient a rule takes from a
/// plain field such as `event.author`, the actor when the rules credit them)
/// and the once-per keys a rule takes from
/// a plain field. A rule whose recipient or key is computed by an expression
/// may touch a member the footprint does not list; the store then loads it on
/// demand, as it would with no footprint at all.
public struct BatchFootprint: Sendable, Equatable {
  /// The actions' ids, in batch order.
  public var actionIDs: [String] = []
  /// Members the batch is expected to read or change, each once, in first-use
  /// order; objects' states (`objects:` in rules) are listed under their ids too.
  public var members: [MemberID] = []
  /// Once-per keys the batch is expected to claim, each once.
  public var onceKeys: [OnceKey] = []

  /// A once-per key: a member, a rule (by its index among the scheme's
  /// rules, see ``CompiledRules/ruleNames``) and the key's value.
  public struct OnceKey: Hashable, Sendable {
    public var member: MemberID
    public var rule: Int
    public var key: String

    public init(member: MemberID, rule: Int, key: String) {
      self.member = member
      self.rule = rule
      self.key = key
    }
  }

  public init(actionIDs: [String] = [], members: [MemberID] = [], onceKeys: [OnceKey] = []) {
    self.actionIDs = actionIDs
    self.members = members
    self.onceKeys = onceKeys
  }

  /// A footprint that forecasts nothing: every member is loaded on demand.
  public static let unknown = BatchFootprint()
}

extension CompiledRules {
  /// What applying `actions` is expected to read (see ``BatchFootprint``).
  public func footprint(of actions: [PreparedAction]) -> BatchFootprint {
    var footprint = BatchFootprint()
    footprint.actionIDs.reserveCapacity(actions.count)
    var seenMembers: Set<MemberID> = []
    var seenOnce: Set<BatchFootprint.OnceKey> = []
    func string(_ action: PreparedAction, _ field: Int) -> String? {
      guard field < action.fields.count, case .string(let text)? = action.fields[field].value else { return nil }
      return text
    }
    for action in actions {
      footprint.actionIDs.append(action.id)
      guard let type = action.typeIndex else { continue }
      var scope: String?
      if self.scope != nil {
        // A scope computed by an expression is not forecast: its members load on demand.
        guard let field = scopeField, let value = string(action, field) else { continue }
        scope = value
      }
      let actor = MemberID(scope: scope, user: action.user)
      let plan = self.actions[type]
      // The actor is read when a rule credits them, a bonus or streak counts
      // them, or the action sets their traits; a like pays only its author.
      if !plan.bonuses.isEmpty || !plan.streaks.isEmpty || !action.traits.isEmpty
        || plan.rules.contains(where: { $0.recipient == nil && $0.touchesMember }), seenMembers.insert(actor).inserted
      {
        footprint.members.append(actor)
      }
      // The action's objects whose key is a plain field (`event.post`).
      for o in plan.objects {
        guard let field = objects[o].keyField, let key = string(action, field), !key.isEmpty else { continue }
        let object = objectID(o, key: key, scope: scope)
        if seenMembers.insert(object).inserted { footprint.members.append(object) }
      }
      for rule in plan.rules {
        var recipient = actor
        if rule.recipient != nil {
          guard let field = rule.recipientField, let user = string(action, field) else { continue }
          recipient = MemberID(scope: scope, user: user)
          if seenMembers.insert(recipient).inserted { footprint.members.append(recipient) }
        }
        if let field = rule.onceField, let key = string(action, field) {
          let once = BatchFootprint.OnceKey(member: recipient, rule: rule.globalIndex, key: key)
          if seenOnce.insert(once).inserted { footprint.onceKeys.append(once) }
        }
      }
    }
    return footprint
  }
}
