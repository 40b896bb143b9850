/// The inputs of one evaluation: variable values by slot, comprehension
/// variables, a host context for resolvers, and the remaining iteration budget.
///
/// An activation is reused across evaluations to avoid allocating; it is not
/// thread-safe: give each thread its own.
public final class Activation {
  /// Values of declared variables by ``Declarations/Variable/slot``; nil = absent.
  public var variables: [Value?]
  /// Anything a host's resolvers need (the engine puts its member state here).
  public var context: AnyObject?
  var locals: [Value] = []
  var budget = 0

  public init(slotCount: Int, context: AnyObject? = nil) {
    variables = Array(repeating: nil, count: slotCount)
    self.context = context
  }

  /// Makes every variable absent (between actions).
  public func reset() {
    for i in variables.indices { variables[i] = nil }
  }

  @inline(__always)
  func charge(_ units: Int = 1) throws(EvalError) {
    budget -= units
    if budget < 0 { throw EvalError.budgetExceeded }
  }
}
