import LaurelDiagnostics

@testable import LaurelExpression

/// A small environment used across the expression tests.
struct TestEnvironment {
  var declarations = Declarations()
  var values: [Int: Value] = [:]

  init() {
    bind("event.minutes", .int, .int(30))
    bind("event.name", .string, .string("xavier"))
    bind("event.a", .int, .int(4))
    bind("event.b", .int, .int(5))
    bind("event.tags", .list(.string), .list((0..<10).map { .string("t\($0)") }))
    bind("event.score", .double, .double(2.5))
  }

  mutating func bind(_ name: String, _ type: ExprType, _ value: Value) {
    values[declarations.declare(name, type)] = value
  }

  func compile(_ text: String, checked: Bool = true) -> Result<Program, DiagnosticError> {
    ExpressionCompiler(declarations: declarations).compile(ExpressionSource(text), checked: checked)
  }

  func evaluate(_ text: String, checked: Bool = true) throws -> Result<Value, EvalError> {
    let program = try compile(text, checked: checked).get()
    let activation = Activation(slotCount: declarations.slotCount)
    for (slot, value) in values { activation.variables[slot] = value }
    return Result { () throws(EvalError) -> Value in try program.evaluate(activation) }
  }

  /// The diagnostics of a failing compile, rendered one per line without file names.
  func diagnostics(_ text: String) -> [String] {
    switch compile(text) {
    case .success: return []
    case .failure(let error):
      return error.diagnostics.map {
        "\($0.location!.line):\($0.location!.column): \($0.severity.rawValue): \($0.message)"
      }
    }
  }
}
