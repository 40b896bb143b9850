/// What a replay can tell, ahead of applying an action, about the members it
/// will credit, so that their index slots, states and once-per slots can be
/// prefetched a block or two early (see ``Simulation/apply(contentsOf:)``).
///
/// Only a guess needs to be right for the prefetch to pay off; nothing
/// depends on it for correctness. Direct-path types name their rules'
/// recipients and once-per keys (``DirectTable``); other types name the
/// actor, whom bonuses, streaks and most rules credit.
///
/// A class: a replay passes it to a prefetch closure several times per block
/// of actions, and copying a struct of seven arrays cost fourteen atomic
/// reference-count updates each time.
final class RecipientPrefetch: Sendable {
  /// A member an action is likely to credit.
  struct Guess {
    /// Its ``MemberKey`` hash.
    var member: UInt64
    /// The ``fnv1a(_:seed:)`` of the rule's once-per key; nil when it has none.
    var onceKey: UInt64?
    /// The rule (global index) the once-per key is claimed for.
    var rule: Int32
  }

  /// An object a direct-path type loads (`objects: post: event.post`): the
  /// field that is its key, and the hash of its ids' scope.
  private struct ObjectGuess {
    var field: Int
    var scopeHash: UInt64
  }

  private let direct: DirectTable
  /// The scope's field; nil for a global scheme.
  private let scopeField: Int?
  /// Per action type, the objects it loads whose ids can be hashed from a
  /// field (a global scheme's; a scoped scheme's object scope is built per action).
  private let objects: [[ObjectGuess]]

  /// nil when recipients cannot be told without evaluating (the scope is an expression).
  init?(_ rules: CompiledRules, direct: DirectTable) {
    guard rules.scope == nil || rules.scopeField != nil else { return nil }
    self.direct = direct
    scopeField = rules.scopeField
    let scopes = rules.scope == nil ? rules.globalObjectScopes : []
    objects = rules.actions.indices.map { type in
      guard rules.scope == nil, direct.plans[type]?.loadsObjects == true else { return [] }
      return rules.actions[type].objects.compactMap { o in
        rules.objects[o].keyField.map { ObjectGuess(field: $0, scopeHash: scopes[o].hash) }
      }
    }
  }

  /// Calls `body` with each member the actions in `range` are likely to credit.
  @inline(__always)
  func forEachGuess(
    of actions: UnsafeBufferPointer<PreparedAction>, _ range: Range<Int>, _ body: (Guess) -> Void
  ) {
    // Through buffer pointers: array subscripts would check bounds each time.
    direct.plans.withUnsafeBufferPointer { plans in
      direct.rules.withUnsafeBufferPointer { rules in
        for i in range {
          let action = actions.baseAddress! + i
          guard let type = action.pointee.typeIndex else { continue }
          let fields = action.pointee.fields.count
          var scopeHash: UInt64?
          if let f = scopeField {
            guard f < fields else { continue }
            scopeHash = action.pointee.fields[f].hash
          }
          guard let plan = plans[type] else {
            let actor = MemberKey.combine(scope: scopeHash, user: action.pointee.userHash)
            body(Guess(member: actor, onceKey: nil, rule: 0))
            continue
          }
          for object in objects[type] where object.field < fields {
            body(
              Guess(
                member: MemberKey.combine(scope: object.scopeHash, user: action.pointee.fields[object.field].hash),
                onceKey: nil, rule: 0))
          }
          for r in plan.rules {
            let rule = rules[r]
            // A rule that only counts into objects credits no member (its actor is not touched).
            guard rule.touchesMember, (rule.recipientField ?? 0) < fields, (rule.onceField ?? 0) < fields else {
              continue
            }
            let user = rule.recipientField.map { action.pointee.fields[$0].hash } ?? action.pointee.userHash
            body(
              Guess(
                member: MemberKey.combine(scope: scopeHash, user: user),
                onceKey: rule.onceField.map { action.pointee.fields[$0].hash }, rule: Int32(rule.globalIndex)))
          }
        }
      }
    }
  }
}
