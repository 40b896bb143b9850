/// An evaluation error. In CEL errors are values: `false && (1/0 > 2)` is
/// `false`, so the evaluator carries errors instead of trapping.
public struct EvalError: Error, Hashable, Sendable, CustomStringConvertible {
  public var message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }

  static func noSuchOverload(_ op: String, _ args: Value...) -> EvalError {
    EvalError("no such overload: \(op) applied to (\(args.map(\.typeName).joined(separator: ", ")))")
  }
  static func noSuchKey(_ key: String) -> EvalError { EvalError("no such key: '\(key)'") }
  static let divisionByZero = EvalError("division by zero")
  static let moduloByZero = EvalError("modulus by zero")
  static func overflow(_ op: String) -> EvalError { EvalError("integer overflow in '\(op)'") }
  static func range(_ what: String) -> EvalError { EvalError("\(what) out of range") }
  static let budgetExceeded = EvalError(
    "evaluation budget exceeded: the expression iterates too much (see ExpressionOptions.iterationBudget)")
}
