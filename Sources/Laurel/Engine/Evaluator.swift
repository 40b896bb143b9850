import LaurelExpression

/// Runs prepared actions through compiled rules against a state transaction.
///
/// One action is applied in three phases:
/// 1. **Plan** (pure): evaluate every rule's condition, recipient, amounts and
///    keys against the state *before* the action. Any error rejects the action
///    and nothing has changed.
/// 2. **Apply**: bonuses, once-per keys, cooldowns, caps (in rule order) and
///    floors; balances, counters, progress and the ledger.
/// 3. **Progress**: re-rank ladders and re-check badges of touched members,
///    only those whose inputs changed.
///
/// Not thread-safe (it reuses buffers and an activation); make one per thread.
/// A class so the closures it runs inside `withMember` share it instead of
/// copying its fields on every call. `@unchecked Sendable` only so that
/// ``EvaluatorPool`` can hand one whole to another thread; it is never used
/// by two at once.
final class Evaluator: @unchecked Sendable {
  let rules: CompiledRules
  let activation: Activation
  let context: MemberContext
  /// The buffers, behind a pointer: a `var` of a class would cost a dynamic
  /// exclusivity check on every access, several times per action.
  let scratchStorage: UnsafeMutablePointer<Scratch>
  var scratch: Scratch {
    @inline(__always) _read { yield scratchStorage.pointee }
    @inline(__always) _modify { yield &scratchStorage.pointee }
  }
  /// A new member's state.
  var initial: MemberState { initialStorage.pointee }
  let initialStorage: UnsafeMutablePointer<MemberState>
  let ledgerNames: LedgerNames
  /// The action types' ``DirectPlan``s.
  let direct: DirectTable
  /// Whether action types with a ``DirectPlan`` may take the direct path:
  /// the scheme has no scope, or its scope is a plain field.
  let allowsDirect: Bool
  /// Whether a program may run on the direct path (a badge condition, key or
  /// `to`, or an object key, not read directly): the action is then bound
  /// whole, else only its windows are set.
  let directEvaluates: Bool
  /// Whether the scheme has badges the engine awards (not manual only).
  let checksBadges: Bool
  /// How each badge is checked (by index), and the comparisons of those whose conditions are read directly.
  let badgeChecks: [BadgeCheck]
  let badgeComparisons: [BadgeCheck.Comparison]
  /// Whether some ladder may be overridden per scope (the store is asked).
  let overridable: Bool
  /// Per ladder, what re-ranking it needs (see ``LadderRanking``).
  let rankings: [LadderRanking]
  /// Every ladder's tier thresholds, lowest first, one ladder after another.
  let thresholds: [Int64]
  /// Per rule (by global index), the windowed items its effects touch; per
  /// action type, those its bonuses touch: what the lateness check reads
  /// (see `Evaluator+Lateness.swift`), worked out once.
  let windowedByRule: [WindowedItems]
  let windowedByType: [WindowedItems]
  /// The calendar windows something of the scheme counts in (caps, windowed
  /// counters, bonuses, streaks): only those are worked out per action.
  let windowsUsed: (day: Bool, week: Bool, month: Bool)
  /// Per object, its scope in a global scheme and that scope's hash.
  let objectScopes: [(scope: String, hash: UInt64)]

  struct PlannedRule {
    var rule: Int32
    var recipient: MemberKey
    var onceKey: String?
    var amountStart: Int32
    var countStart: Int32
    var progressStart: Int32
  }

  struct Touched {
    var handle: Int
    var member: MemberID
    var dirty: UInt64
  }

  /// Buffers reused across actions so steady-state evaluation does not allocate.
  struct Scratch {
    var planned: [PlannedRule] = []
    var amounts: [Int64] = []
    var counts: [(amount: Int64, key: String?)] = []
    var progressKeys: [String] = []
    var touched: [Touched] = []
    /// Per object, the id of the action's (nil when the action gives no key).
    var objectKeys: [MemberKey?] = []
    /// Per object, the action's object's handle once loaded or created.
    var objectHandles: [Int?] = []
  }

  init(rules: CompiledRules) {
    self.rules = rules
    scratchStorage = .allocate(capacity: 1)
    scratchStorage.initialize(to: Scratch())
    ledgerNames = LedgerNames(currencies: rules.currencies.map(\.name), rules: rules.ruleNames)
    let initial = rules.initialState()
    initialStorage = .allocate(capacity: 1)
    initialStorage.initialize(to: initial)
    context = MemberContext(badgeNames: rules.badges.map(\.name), initial: initial)
    activation = Activation(slotCount: rules.slotCount, context: context)
    (windowedByRule, windowedByType) = WindowedItems.make(rules)
    direct = DirectTable(rules.actions, windowed: windowedByRule)
    allowsDirect = rules.scope == nil || rules.scopeField != nil
    (rankings, thresholds) = LadderRanking.make(rules)
    checksBadges = rules.badges.contains { !$0.manual }
    (badgeChecks, badgeComparisons) = BadgeCheck.make(rules)
    directEvaluates =
      rules.objects.contains { $0.keyField == nil }
      || badgeChecks.contains {
        !$0.manual && ($0.comparisons == nil || ($0.keyed && $0.keyField == nil) || ($0.limited && $0.toField == nil))
      }
    overridable = rules.ladders.contains(where: \.overridable)
    objectScopes = rules.globalObjectScopes
    let used = Set(
      rules.caps.map(\.per) + rules.counters.compactMap(\.window) + rules.bonuses.map(\.every)
        + rules.streaks.map(\.every))
    windowsUsed = (used.contains(.day), used.contains(.week), used.contains(.month))
    context.objects = Array(repeating: initial.counters, count: rules.objects.count)
    scratch.objectKeys = Array(repeating: nil, count: rules.objects.count)
    scratch.objectHandles = Array(repeating: nil, count: rules.objects.count)
  }

  deinit {
    scratchStorage.deinitialize(count: 1)
    scratchStorage.deallocate()
    initialStorage.deinitialize(count: 1)
    initialStorage.deallocate()
  }

  /// Applies one action; `outcome` is overwritten.
  func apply<T: StateTransaction>(
    _ action: PreparedAction, to tx: inout T, outcome: inout Outcome
  ) throws(T.Failure) {
    try withUnsafePointer(to: action) { (action) throws(T.Failure) in
      try apply(at: action, to: &tx, outcome: &outcome)
    }
  }

  /// ``apply(_:to:outcome:)`` for an action read in place (a
  /// replay passes the elements of its array): the direct path reads the
  /// fields it needs through the pointer, where passing the action itself
  /// would copy it whole (the compiler cannot tell that applying it leaves
  /// the array alone), a retain and a release for each of its strings and arrays.
  func apply<T: StateTransaction>(
    at pointer: UnsafePointer<PreparedAction>, to tx: inout T, outcome: inout Outcome
  ) throws(T.Failure) {
    outcome.reset(pointer.pointee.id)
    outcome.at = pointer.pointee.at
    if outcome.names !== ledgerNames { outcome.names = ledgerNames }
    if let typeIndex = pointer.pointee.typeIndex, allowsDirect, let plan = direct.plans[typeIndex],
      try applyDirect(pointer, plan, to: &tx, outcome: &outcome)
    {
      return
    }
    try applyGeneral(pointer.pointee, to: &tx, outcome: &outcome)
  }

  /// The general path: plan every rule, then apply (see the type's documentation).
  private func applyGeneral<T: StateTransaction>(
    _ action: PreparedAction, to tx: inout T, outcome: inout Outcome
  ) throws(T.Failure) {
    guard let typeIndex = action.typeIndex else {
      // Ignored actions are still recorded, so a re-sent one counts as a duplicate.
      outcome.status = try tx.claimAction(action) ? .ignored : .duplicate
      return
    }
    let plan = rules.actions[typeIndex]
    guard try tx.claimAction(action) else {
      outcome.status = .duplicate
      return
    }
    bind(action, plan)
    var scope: String?
    var scopeHash: UInt64?
    if let f = rules.scopeField, case .string(let value)? = action.fields[f].value {
      scope = value  // a plain field (`event.community`), read without evaluating
      scopeHash = action.fields[f].hash
    } else if let scopeProgram = rules.scope {
      do {
        scope = try scopeProgram.evaluate(activation).plainText
        scopeHash = fnv1a(scope!)
      } catch {
        outcome.status = .rejected(
          ActionError(.unknownScope, "action \(action.id): cannot tell the member's scope: \(error.message)"))
        try tx.releaseAction(action.id)
        return
      }
    }
    if !rules.objects.isEmpty, MemberID.isObjectScope(scope) {
      outcome.status = .rejected(
        ActionError(.unknownScope, "action \(action.id): a scope may not start with U+001F, which objects' ids use"))
      try tx.releaseAction(action.id)
      return
    }
    let actor = MemberKey(MemberID(scope: scope, user: action.user), scopeHash: scopeHash, userHash: action.userHash)
    if !plan.objects.isEmpty { try loadObjects(plan, action: action, scope: scope, tx: &tx) }

    // Trait updates come first so rules and tiers see them. An existing actor
    // is updated in place (undone if the action is rejected); a new one is
    // planned against a draft and created only once the action is accepted.
    var previousTraits: [(Int, String?)] = []
    var actorHandle: Int?
    var actorDraft: MemberState?
    if !action.traits.isEmpty {
      if let h = try tx.existingMember(actor) {
        actorHandle = h
        tx.withMember(h) { state in
          for (t, value) in action.traits where state.traits[t] != value {
            previousTraits.append((t, state.traits[t]))
            state.traits[t] = value
          }
        }
      } else {
        var draft = initial
        for (t, value) in action.traits where draft.traits[t] != value {
          previousTraits.append((t, draft.traits[t]))
          draft.traits[t] = value
        }
        actorDraft = draft
      }
    }

    if let reason = try planRules(
      plan, action: action, actor: actor, scope: (scope, scopeHash), actorDraft: actorDraft, tx: &tx)
    {
      if let h = actorHandle {
        tx.withMember(h) { state in for (t, old) in previousTraits { state.traits[t] = old } }
      }
      scratch.touched.clear()
      outcome.status = .rejected(reason)
      try tx.releaseAction(action.id)
      return
    }
    if let draft = actorDraft {
      actorHandle = try tx.member(actor, initial: { draft })
    }
    if let h = actorHandle, !previousTraits.isEmpty {
      var dirty: UInt64 = Dependencies.touched
      for (t, _) in previousTraits { dirty |= rules.dependencies.trait[t] }
      touch(h, actor.id, dirty)
    }
    if !plan.bonuses.isEmpty || !plan.streaks.isEmpty {
      var h = actorHandle ?? -1
      if h < 0 { h = try tx.member(actor, initial: { initial }) }
      applyActorEffects(plan, handle: h, actor: actor.id, action: action, tx: &tx, outcome: &outcome)
    }
    try applyPlannedRules(action: action, tx: &tx, outcome: &outcome)
    try updateProgression(action: action, tx: &tx, outcome: &outcome)
  }

  /// Puts the action's values into the activation's event slots.
  func bind(_ action: PreparedAction, _ plan: CompiledAction) {
    withUnsafePointer(to: action) { bind($0, plan) }
  }

  /// ``bind(_:_:)`` for an action read in place.
  func bind(_ pointer: UnsafePointer<PreparedAction>, _ plan: CompiledAction) {
    let slots = rules.slots
    let variables = activation.variables
    if rules.bindsBuiltins {
      variables[slots.id] = .string(pointer.pointee.id)
      variables[slots.type] = .string(pointer.pointee.type)
      variables[slots.user] = .string(pointer.pointee.user)
      variables[slots.at] = .timestamp(pointer.pointee.at)
    }
    // Only the fields this action's expressions (and every badge's) can read.
    let count = pointer.pointee.fields.count
    for i in plan.boundFields {
      variables[rules.fields[i].slot] = i < count ? pointer.pointee.fields[i].value : nil
    }
    if rules.usesWindows { setWindows(at: pointer.pointee.at) }
  }

  /// The calendar windows (day, week, month) that caps, windowed counters and bonuses count in, for an action at `at`.
  func setWindows(at: Timestamp) {
    if windowsUsed.day { context.windows[0] = rules.timeZone.window(.day, at: at) }
    if windowsUsed.week { context.windows[1] = rules.timeZone.window(.week, at: at) }
    if windowsUsed.month { context.windows[2] = rules.timeZone.window(.month, at: at) }
  }

  func touch(_ handle: Int, _ member: MemberID, _ dirty: UInt64) {
    for i in scratch.touched.indices where scratch.touched[i].handle == handle {
      scratch.touched[i].dirty |= dirty
      return
    }
    scratch.touched.append(Touched(handle: handle, member: member, dirty: dirty))
  }

  /// Evaluates `program` with `member` as `member.*`: a stored member, else
  /// `draft` (a new actor with the action's traits), else a new member's initial state.
  func evaluate<T: StateTransaction>(
    _ program: Program, member handle: Int?, draft: MemberState? = nil, in tx: inout T
  ) throws(EvalError) -> Value {
    guard let handle else {
      guard var draft else { return try context.with(nil) { () throws(EvalError) in try program.evaluate(activation) } }
      return try withUnsafePointer(to: &draft) { (pointer) throws(EvalError) -> Value in
        try context.with(pointer) { () throws(EvalError) in try program.evaluate(activation) }
      }
    }
    let result: Result<Value, EvalError> = tx.readMember(handle) { state in
      withUnsafePointer(to: &state) { pointer in
        Result { () throws(EvalError) -> Value in
          try context.with(pointer) { () throws(EvalError) in try program.evaluate(activation) }
        }
      }
    }
    return try result.get()
  }
}
