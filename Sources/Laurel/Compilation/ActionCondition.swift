import LaurelExpression

/// A rule's `when` that reads only the action, decided straight from the
/// action's fields instead of through the evaluator: the ``Predicate`` of
/// the condition (named values seen through) with field indices for names.
///
/// `when: pays_owner`, with `pays_owner: has(event.owner) && !wiki` and
/// `wiki: has(event.wiki) && event.wiki`, is decided by reading two fields.
/// When a value it reads is absent or of another type than the test needs,
/// the condition is undecided and the engine evaluates the program, whose
/// answer (or error) stands; see ``Predicate`` for why a decided answer is
/// always the program's.
struct ActionCondition: Sendable {
  enum Operand: Sendable {
    case field(Int)
    /// `event.user`.
    case user
  }

  /// One step of the condition in postfix order.
  enum Step: Sendable {
    case constant(Bool)
    case has(Int)
    case isTrue(Int)
    case compare(Int, Threshold.Bound)
    case equal(Operand, Operand)
    case equalText(Operand, String)
    case not
    case and
    case or
  }

  let steps: [Step]

  /// The condition of `predicate`, or nil when it reads anything but the
  /// action's declared fields (and `event.user` in equalities).
  /// `field` gives the index of a declared field by its expression name (`event.owner`).
  init?(_ predicate: Predicate, field: (String) -> Int?) {
    var steps: [Step] = []
    func operand(_ name: String) -> Operand? { name == "event.user" ? .user : field(name).map(Operand.field) }
    func add(_ p: Predicate) -> Bool {
      switch p {
      case .constant(let b): steps.append(.constant(b))
      case .has(let v):
        guard let f = field(v) else { return false }
        steps.append(.has(f))
      case .isTrue(let v):
        guard let f = field(v) else { return false }
        steps.append(.isTrue(f))
      case .compare(let t):
        guard t.index == nil, let f = field(t.variable) else { return false }
        steps.append(.compare(f, t.bound))
      case .equal(let a, let b):
        guard let a = operand(a), let b = operand(b) else { return false }
        steps.append(.equal(a, b))
      case .equalText(let v, let text):
        guard let a = operand(v) else { return false }
        steps.append(.equalText(a, text))
      case .not(let a):
        guard add(a) else { return false }
        steps.append(.not)
      case .and(let a, let b):
        guard add(a), add(b) else { return false }
        steps.append(.and)
      case .or(let a, let b):
        guard add(a), add(b) else { return false }
        steps.append(.or)
      }
      return true
    }
    // Deciding keeps one bit per pending result: at most 64.
    guard add(predicate), steps.count <= 64 else { return nil }
    self.steps = steps
  }

  /// Whether the condition holds for `action`; nil when it cannot tell.
  func decide(_ action: PreparedAction) -> Bool? {
    withUnsafePointer(to: action) { decide($0) }
  }

  /// ``decide(_:)`` for an action read in place (the direct path's; passing
  /// `pointer.pointee` would copy the action).
  func decide(_ pointer: UnsafePointer<PreparedAction>) -> Bool? {
    // A stack of three-valued results, a bit each: `known` set when decided, `value` when true.
    var known: UInt64 = 0
    var value: UInt64 = 0
    var depth: UInt64 = 0
    let count = pointer.pointee.fields.count
    for step in steps {
      var result: Bool?
      switch step {
      case .constant(let b): result = b
      case .has(let f): result = f < count && pointer.pointee.fields[f].value != nil
      case .isTrue(let f):
        if f < count, case .bool(let b)? = pointer.pointee.fields[f].value { result = b }
      case .compare(let f, let bound):
        if f < count, case .int(let n)? = pointer.pointee.fields[f].value { result = bound.holds(n) }
      case .equal(let a, let b):
        result = Self.equal(a, b, in: pointer)
      case .equalText(.user, let text):
        result = sameUTF8(pointer.pointee.user, text)
      case .equalText(.field(let f), let text):
        if f < count, case .string(let s)? = pointer.pointee.fields[f].value {
          result = sameUTF8(s, text)
        }
      case .not:
        depth -= 1
        if known >> depth & 1 == 1 { result = value >> depth & 1 == 0 }
      case .and, .or:
        depth -= 2
        let x: Bool? = known >> depth & 1 == 1 ? value >> depth & 1 == 1 : nil
        let y: Bool? = known >> (depth + 1) & 1 == 1 ? value >> (depth + 1) & 1 == 1 : nil
        if case .and = step {
          result = x == false || y == false ? false : (x == true && y == true ? true : nil)
        } else {
          result = x == true || y == true ? true : (x == false && y == false ? false : nil)
        }
      }
      let bit: UInt64 = 1 << depth
      if let result {
        known |= bit
        if result { value |= bit } else { value &= ~bit }
      } else {
        known &= ~bit
      }
      depth += 1
    }
    guard depth == 1, known & 1 == 1 else { return nil }
    return value & 1 == 1
  }

  /// Whether two strings of the action are equal (by code points, as CEL
  /// compares them: "é" and "e\u{301}" differ); nil when one is absent or not a string.
  private static func equal(_ a: Operand, _ b: Operand, in action: UnsafePointer<PreparedAction>) -> Bool? {
    let fields = action.pointee.fields.count
    switch (a, b) {
    case (.user, .user): return true
    case (.field(let f), .user), (.user, .field(let f)):
      guard f < fields, case .string(let s)? = action.pointee.fields[f].value else { return nil }
      return sameUTF8(s, action.pointee.user)
    case (.field(let f), .field(let g)):
      guard f < fields, g < fields, case .string(let s)? = action.pointee.fields[f].value,
        case .string(let t)? = action.pointee.fields[g].value
      else { return nil }
      return sameUTF8(s, t)
    }
  }
}
