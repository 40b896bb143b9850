/// What a replay can tell, ahead of applying an action, about the members it
/// will credit: per action type, the fields naming them (or the actor) and
/// their rules' once-per keys, so that their index slots, states and
/// once-per slots can be prefetched a block or two early (see
/// ``Simulation/apply(contentsOf:)``).
///
/// Only a guess needs to be right for the prefetch to pay off; nothing
/// depends on it for correctness. Direct-path types list their rules'
/// recipients; other types list the actor, whom bonuses, streaks and most
/// rules credit.
struct RecipientPrefetch: Sendable {
  /// A member an action is likely to credit.
  struct Guess {
    /// Its ``MemberKey`` hash.
    var member: UInt64
    /// The ``fnv1a(_:seed:)`` of the rule's once-per key; nil when it has none.
    var onceKey: UInt64?
    /// The rule (global index) the once-per key is claimed for.
    var rule: Int32
  }

  private struct Target {
    /// The recipient's field; -1 is the actor.
    var recipientField: Int32
    /// The once-per key's field; -1 when the rule has none.
    var onceField: Int32
    var rule: Int32
  }

  /// Per action type, a range into `targets`.
  private let starts: [Int32]
  private let targets: [Target]
  /// The scope's field; nil for a global scheme.
  private let scopeField: Int?

  /// nil when recipients cannot be told without evaluating (the scope is an expression).
  init?(_ rules: CompiledRules) {
    guard rules.scope == nil || rules.scopeField != nil else { return nil }
    var starts: [Int32] = [0]
    var targets: [Target] = []
    for action in rules.actions {
      if let direct = action.direct {
        targets += direct.rules.map {
          Target(
            recipientField: Int32($0.recipientField ?? -1), onceField: Int32($0.onceField ?? -1),
            rule: Int32($0.globalIndex))
        }
      } else {
        targets.append(Target(recipientField: -1, onceField: -1, rule: 0))
      }
      starts.append(Int32(targets.count))
    }
    self.starts = starts
    self.targets = targets
    scopeField = rules.scopeField
  }

  /// Calls `body` with each member the actions in `range` are likely to credit.
  @inline(__always)
  func forEachGuess(
    of actions: UnsafeBufferPointer<PreparedAction>, _ range: Range<Int>, _ body: (Guess) -> Void
  ) {
    starts.withUnsafeBufferPointer { starts in
      targets.withUnsafeBufferPointer { targets in
        for i in range {
          let action = actions.baseAddress! + i
          guard let type = action.pointee.typeIndex else { continue }
          let count = action.pointee.fields.count
          var scopeHash: UInt64?
          if let f = scopeField {
            guard f < count else { continue }
            scopeHash = action.pointee.fields[f].hash
          }
          for target in targets[Int(starts[type])..<Int(starts[type + 1])] {
            let f = Int(target.recipientField)
            let once = Int(target.onceField)
            guard f < count, once < count else { continue }
            let user = f < 0 ? action.pointee.userHash : action.pointee.fields[f].hash
            body(
              Guess(
                member: MemberKey.combine(scope: scopeHash, user: user),
                onceKey: once < 0 ? nil : action.pointee.fields[once].hash, rule: target.rule))
          }
        }
      }
    }
  }
}
