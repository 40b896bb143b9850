import LaurelExpression

/// What `member.*` resolvers read during one evaluation: the member being
/// evaluated and the calendar windows of the action being applied.
///
/// Holds an unsafe pointer on purpose: the engine sets it inside a
/// `withUnsafePointer` scope around each evaluation and clears it after, so
/// reading member state costs a pointer load, not a copy.
///
/// Its variables are read several times per action from the evaluator and
/// from resolvers: they opt out of run-time exclusivity checks (one evaluator
/// runs on one thread and never holds an access across a call that could start another).
final class MemberContext {
  @exclusivity(unchecked) var member: UnsafePointer<MemberState>?
  /// TimeWindow indices of the current action: day, week, month.
  @exclusivity(unchecked) var windows: [Int64] = [0, 0, 0]
  /// The counters of the action's objects (by object index; a new object's
  /// are a new member's), read by `post.counters.*`. Copies of the counters
  /// array only (one reference), refreshed after counting into an object.
  @exclusivity(unchecked) var objects: [[CounterState]] = []
  let badgeNames: [String]
  /// Member state to read when the member does not exist yet.
  let initial: MemberState

  init(badgeNames: [String], initial: MemberState) {
    self.badgeNames = badgeNames
    self.initial = initial
  }

  @inline(__always)
  static func of(_ a: Activation) -> MemberContext { unsafeDowncast(a.context!, to: MemberContext.self) }

  /// The member's state, borrowed: reading `state.counters[i]` copies the
  /// counter, not the whole state (a getter would copy every array in it).
  @inline(__always)
  var state: MemberState {
    _read {
      if let member { yield member.pointee } else { yield initial }
    }
  }

  func window(_ w: TimeWindow) -> Int64 {
    switch w {
    case .day: windows[0]
    case .week: windows[1]
    case .month: windows[2]
    }
  }

  /// Runs `body` with `member` readable by resolvers.
  @inline(__always)
  func with<R>(_ member: UnsafePointer<MemberState>?, _ body: () throws(EvalError) -> R) throws(EvalError) -> R {
    let saved = self.member
    self.member = member
    defer { self.member = saved }
    return try body()
  }
}
