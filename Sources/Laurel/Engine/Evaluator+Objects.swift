import LaurelExpression

/// Objects (`objects: post: event.post`): state kept by the thing an action
/// is about rather than by a member.
///
/// An object's state is a ``MemberState`` of which only the object's counters
/// are used, stored under an id no member can have (``CompiledRules/objectID(_:key:scope:)``),
/// so every store keeps, versions, journals and rebuilds objects exactly as it
/// does members, within the same transaction.
extension Evaluator {
  /// Loads the states of the objects `plan` reads or counts into, for the
  /// action bound in the activation, into the context (`post.counters.*`).
  /// An object whose key the action does not give reads as new; a rule that
  /// counts into it rejects the action (see ``planRules``).
  func loadObjects<T: StateTransaction>(
    _ plan: CompiledAction, action: PreparedAction, scope: String?, tx: inout T
  ) throws(T.Failure) {
    try withUnsafePointer(to: action) { (action) throws(T.Failure) in
      try loadObjects(plan, action: action, scope: scope, tx: &tx)
    }
  }

  /// ``loadObjects(_:action:scope:tx:)`` for an action read in place.
  func loadObjects<T: StateTransaction>(
    _ plan: CompiledAction, action pointer: UnsafePointer<PreparedAction>, scope: String?, tx: inout T
  ) throws(T.Failure) {
    for o in plan.objects {
      scratch.objectHandles[o] = nil
      var key: String?
      var keyHash: UInt64?
      if let f = rules.objects[o].keyField {
        if f < pointer.pointee.fields.count, case .string(let value)? = pointer.pointee.fields[f].value {
          key = value
          keyHash = pointer.pointee.fields[f].hash  // hashed when the action was decoded
        }
      } else if let value = try? rules.objects[o].key.evaluate(activation) {
        key = value.plainText
      }
      guard let key, !key.isEmpty else {
        scratch.objectKeys[o] = nil
        context.objects[o] = initial.counters
        continue
      }
      let id: MemberKey
      if scope == nil {
        // A global scheme's object scope is fixed: no string is built or hashed.
        id = MemberKey(
          MemberID(scope: objectScopes[o].scope, user: key), scopeHash: objectScopes[o].hash,
          userHash: keyHash ?? fnv1a(key))
      } else {
        id = MemberKey(rules.objectID(o, key: key, scope: scope))
      }
      scratch.objectKeys[o] = id
      if let handle = try tx.existingMember(id) {
        scratch.objectHandles[o] = handle
        context.objects[o] = tx.readMember(handle) { $0.counters }
      } else {
        context.objects[o] = initial.counters
      }
    }
  }

  /// Why a rule that counts into an object cannot: the action does not give the object's key.
  func missingObject(of rule: CompiledRule, action: PreparedAction) -> ActionError? {
    for (counter, _) in rule.counts {
      guard let o = rules.counters[counter].object, scratch.objectKeys[o] == nil else { continue }
      let object = rules.objects[o]
      return ActionError(
        .ruleFailed,
        "action \(action.id): rule '\(rule.id)': cannot tell which \(object.name) it counts into: "
          + "\(object.keyText) gives no key for this action")
    }
    return nil
  }

  /// Adds a planned rule's counts of object counters to the action's objects;
  /// the recipient (nil for a rule that touches no member) is marked so that
  /// its badges reading them are re-checked.
  func countIntoObjects<T: StateTransaction>(
    _ rule: CompiledRule, _ planned: PlannedRule, recipient handle: Int?, tx: inout T
  ) throws(T.Failure) {
    for (i, (counter, _)) in rule.counts.enumerated() {
      guard let o = rules.counters[counter].object, scratch.objectKeys[o] != nil else { continue }
      let (by, key) = scratch.counts[Int(planned.countStart) + i]
      try bumpObject(o, counter: counter, by: by, key: key, tx: &tx)
      if let handle { touch(handle, planned.recipient.id, rules.dependencies.counter[counter]) }
    }
  }

  /// Adds to a counter of the action's object `o` (created if new; its key
  /// known), and refreshes what `post.counters.*` reads.
  func bumpObject<T: StateTransaction>(
    _ o: Int, counter: Int, by: Int64, key: String?, tx: inout T
  ) throws(T.Failure) {
    guard let id = scratch.objectKeys[o] else { return }
    var object: Int
    if let handle = scratch.objectHandles[o] {
      object = handle
    } else {
      // Through a pointer: a closure reading `initial` would retain the evaluator.
      let initial = initialStorage
      object = try tx.member(id, initial: { initial.pointee })
      scratch.objectHandles[o] = object
    }
    // Let go of the context's reference first: sharing the counters array
    // with the state would copy it on the write below.
    context.objects[o] = []
    context.objects[o] = tx.withMember(object) { state in
      _ = bump(&state, counter: counter, by: by, key: key)
      return state.counters
    }
  }
}

extension CompiledRules {
  /// Each object's scope in a global scheme, with its hash (see ``objectID(_:key:scope:)``).
  var globalObjectScopes: [(scope: String, hash: UInt64)] {
    objects.indices.map { o in
      let scope = objectID(o, key: "", scope: nil).scope!
      return (scope, fnv1a(scope))
    }
  }

  /// The id object `object`'s state with `key` is kept under: the object's
  /// name (and the member scope of the action, for a scoped scheme) behind
  /// U+001F, a scope no member can have while the scheme declares objects
  /// (an action whose scope starts with U+001F is rejected).
  func objectID(_ object: Int, key: String, scope: String?) -> MemberID {
    MemberID(scope: "\u{1F}" + objects[object].name + (scope.map { "\u{1F}" + $0 } ?? ""), user: key)
  }
}

extension MemberID {
  /// Whether this is an object's state (``CompiledRules/objectID(_:key:scope:)``),
  /// which stores keep with members' but never list as members.
  package var isObject: Bool { Self.isObjectScope(scope) }

  /// Whether `scope` is one objects' ids use (it starts with U+001F): no member may have it.
  static func isObjectScope(_ scope: String?) -> Bool { scope?.utf8.first == 0x1F }
}
