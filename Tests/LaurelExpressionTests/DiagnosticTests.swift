import LaurelDiagnostics
import Testing

@testable import LaurelExpression

@Suite struct DiagnosticTests {
  let env = TestEnvironment()

  @Test(arguments: [
    ("event.minuts * 2", "1:7: error: unknown field 'minuts' on 'event'; did you mean 'minutes'?"),
    ("evnt.minutes > 3", "1:1: error: unknown name 'evnt'; did you mean 'event'?"),
    (
      "event.minutes * 1.5",
      "1:1: error: operator '*' cannot mix int and double; convert one side, e.g. write double(event.minutes) * 1.5"
    ),
    (
      "event.name.startsWith(1)",
      "1:1: error: startsWith() expects a string and one string argument, but was given (string, int)"
    ),
    ("size(event.name) > 'a'", "1:1: error: operator '>' does not apply to int and string"),
    ("event.minutes +", "1:16: error: the expression is empty or ends too early"),
    ("frobnicate(1)", "1:1: error: unknown function 'frobnicate'"),
    ("min(event.minutes, 5)", "1:1: error: unknown function 'min'; did you mean 'math.least'?"),
    ("max(event.minutes, 5)", "1:1: error: unknown function 'max'; did you mean 'math.greatest'?"),
    ("math.lest(event.minutes, 5)", "1:6: error: unknown function 'math.lest'; did you mean 'math.least'?"),
    (
      "math.least(event.name, 5)",
      "1:1: error: math.least() expects numbers (int, uint or double), or one list of numbers, but was given (string, int)"
    ),
    ("event.name.startWith('x')", "1:12: error: unknown function 'startWith'; did you mean 'startsWith'?"),
    (
      "event == 1", "1:1: error: 'event' is a group of names, not a value; use one of: minutes, name, a, b, tags, score"
    ),
    ("event.minutes = 3", "1:15: error: unexpected '=': did you mean '=='?"),
    ("event.minutes > 3 & true", "1:19: error: unexpected '&': did you mean '&&'?"),
    ("'unterminated", "1:1: error: unterminated string literal"),
    (
      "event.name == 3",
      "1:1: error: comparing string with int with '==' can never match; convert one side (e.g. string(...) or int(...))"
    ),
    ("event.minutes && true", "1:1: error: '&&' needs true/false on both sides, but event.minutes is int"),
    ("event.tags.exists(t, t + 1)", "1:22: error: operator '+' does not apply to string and int"),
  ])
  func reportsPreciseDiagnostics(source: String, expected: String) {
    #expect(env.diagnostics(source) == [expected])
  }

  /// The code is set where the checker raises the problem (not read back from its text).
  @Test(arguments: [
    ("evnt.minutes > 3", Diagnostic.Code.unknownName),
    ("event.minuts * 2", .unknownField),
    ("frobnicate(1)", .unknownFunction),
    ("event.name.startWith('x')", .unknownFunction),
    ("size(event.name) > 'a'", .typeMismatch),
    ("event.minutes +", .syntax),
  ])
  func givesEachProblemItsCode(source: String, code: Diagnostic.Code) throws {
    let error = try #require(
      ExpressionCompiler(declarations: env.declarations).compile(ExpressionSource(source)).failureValue)
    #expect(error.diagnostics.map(\.code) == [code], "\(source)")
  }

  @Test func reportsEveryProblemNotJustTheFirst() {
    #expect(
      env.diagnostics("evnt.x > 1 && event.minuts > 2") == [
        "1:1: error: unknown name 'evnt'; did you mean 'event'?",
        "1:21: error: unknown field 'minuts' on 'event'; did you mean 'minutes'?",
      ])
  }

  @Test func locatesProblemsRelativeToTheYAMLFile() throws {
    let source = ExpressionSource("member_plan == 'Paid'", at: SourceLocation(file: "rules.yaml", line: 14, column: 11))
    let error = try #require(ExpressionCompiler(declarations: env.declarations).compile(source).failureValue)
    #expect(error.diagnostics.map(\.description) == ["rules.yaml:14:11: error: unknown name 'member_plan'"])
    let rendered = DiagnosticRenderer(sources: [
      "rules.yaml": String(repeating: "\n", count: 13) + "    when: member_plan == 'Paid'\n"
    ])
    .render(error.diagnostics[0])
    #expect(
      rendered == """
        rules.yaml:14:11: error: unknown name 'member_plan'
           |     when: member_plan == 'Paid'
           |           ^^^^^^^^^^^
        """)
  }

  @Test func mapsLinesOfBlockScalars() throws {
    let source = ExpressionSource(
      "event.minutes > 3 &&\n  event.nme == 'x'",
      lineStarts: [
        SourceLocation(file: "r.yaml", line: 5, column: 7), SourceLocation(file: "r.yaml", line: 6, column: 7),
      ])
    let error = try #require(ExpressionCompiler(declarations: env.declarations).compile(source).failureValue)
    #expect(
      error.diagnostics.map(\.description) == [
        "r.yaml:6:15: error: unknown field 'nme' on 'event'; did you mean 'name'?"
      ])
  }

  @Test func rejectsConditionsThatAreNotBooleans() throws {
    let error = try #require(
      ExpressionCompiler(declarations: env.declarations).compile(
        ExpressionSource("event.minutes * 2"), expecting: .bool
      ).failureValue)
    #expect(error.diagnostics.map(\.message) == ["expected a condition (true/false), but this expression gives int"])
  }

  @Test func limitsNesting() {
    let deep = String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
    #expect(env.diagnostics(deep).first?.contains("nests too deeply") == true)
  }
}

extension Result {
  var failureValue: Failure? {
    if case .failure(let f) = self { return f }
    return nil
  }
}
