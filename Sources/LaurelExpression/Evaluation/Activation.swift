/// The inputs of one evaluation: variable values by slot, comprehension
/// variables, a host context for resolvers, and the remaining iteration budget.
///
/// An activation is reused across evaluations to avoid allocating; it is not
/// thread-safe: give each thread its own.
package final class Activation {
  /// Values of declared variables by ``Declarations/Variable/slot``; nil = absent.
  ///
  /// A fixed buffer owned by the activation (not an array property) so reading
  /// a variable on the hot path costs no exclusivity check or uniqueness test.
  package let variables: UnsafeMutableBufferPointer<Value?>
  /// Anything a host's resolvers need (the engine puts its member state here).
  package let context: AnyObject?
  var locals: UnsafeMutableBufferPointer<Value>
  var budget = 0

  package init(slotCount: Int, context: AnyObject? = nil) {
    variables = .allocate(capacity: max(slotCount, 1))
    variables.initialize(repeating: nil)
    locals = .allocate(capacity: 0)
    self.context = context
  }

  deinit {
    variables.deinitialize()
    variables.deallocate()
    locals.deinitialize()
    locals.deallocate()
  }

  /// Makes every variable absent (between actions).
  package func reset() {
    for i in variables.indices { variables[i] = nil }
  }

  func ensureLocals(_ count: Int) {
    guard locals.count < count else { return }
    locals.deinitialize()
    locals.deallocate()
    locals = .allocate(capacity: count)
    locals.initialize(repeating: .null)
  }

  @inline(__always)
  func charge(_ units: Int = 1) throws(EvalError) {
    budget -= units
    if budget < 0 { throw EvalError.budgetExceeded }
  }
}
