/// `matches`: an unanchored regular-expression search over Unicode scalars,
/// in RE2's syntax and with RE2's guarantee: linear in the input's length,
/// whatever the pattern or the input (see ``RegexProgram``). A literal
/// pattern is compiled once, when the expression is planned.
struct RegexMatcher: Sendable {
  private let program: RegexProgram

  init(_ pattern: String) throws(EvalError) {
    do {
      program = try RegexProgram(pattern)
    } catch {
      throw EvalError("invalid regular expression '\(pattern)': \(error.message)")
    }
  }

  func matches(_ s: String) -> Bool { program.matches(s) }
}
