import Testing

@testable import LaurelExpression

@Suite struct EvaluationTests {
  let env = TestEnvironment()

  func value(_ text: String) throws -> Value { try env.evaluate(text).get() }
  func error(_ text: String, checked: Bool = true) throws -> String? {
    if case .failure(let e) = try env.evaluate(text, checked: checked) { return e.message }
    return nil
  }

  @Test func computesTheIssueBenchmarkExpressions() throws {
    #expect(try value("event.a + event.b * 2 > 10 && event.name.startsWith('x')") == .bool(true))
    #expect(try value("event.minutes * 2") == .int(60))
    #expect(try value("event.tags.exists(t, t == 't9')") == .bool(true))
    #expect(try value("event.tags.exists(t, t == 'featured')") == .bool(false))
  }

  @Test func absorbsErrorsInLogicCommutatively() throws {
    #expect(try value("false && (1 / 0 > 2)") == .bool(false))
    #expect(try value("(1 / 0 > 2) && false") == .bool(false))
    #expect(try value("(1 / 0 > 2) || true") == .bool(true))
    #expect(try error("true && (1 / 0 > 2)") == "division by zero")
    #expect(try error("(1 / 0 > 2) || false") == "division by zero")
  }

  @Test func reportsArithmeticErrorsAsValues() throws {
    #expect(try error("9223372036854775807 + 1") == "integer overflow in '+'")
    #expect(try error("-9223372036854775808 - 1") == "integer overflow in '-'")
    #expect(try error("event.minutes / 0") == "division by zero")
    #expect(try error("event.minutes % 0") == "modulus by zero")
    #expect(try error("{'a': 1}['b']") == "no such key: 'b'")
    #expect(try error("{'a': 1}.b") == "no such key: 'b'")
    #expect(try value("has({'a': 1}.b)") == .bool(false))
    #expect(try error("[1, 2][5]") == "index out of range: 5")
  }

  @Test func treatsAbsentVariablesAsMissingKeys() throws {
    var env = TestEnvironment()
    env.declarations.declare("event.lesson", .string)
    let program = try env.compile("has(event.lesson) ? event.lesson : 'none'").get()
    let activation = Activation(slotCount: env.declarations.slotCount)
    #expect(try program.evaluate(activation) == .string("none"))
    let strictProgram = try env.compile("event.lesson == 'l1'").get()
    #expect(throws: EvalError("no such key: 'event.lesson'")) { try strictProgram.evaluate(activation) }
  }

  @Test func countsAndComparesUnicodeByCodePoints() throws {
    #expect(try value("size('πέντε')") == .int(5))
    #expect(try value("size('🐱😀')") == .int(2))
    // é as one code point vs e + combining accent: equal to Swift, different to CEL.
    #expect(try value("'\\u00e9' == 'e\\u0301'") == .bool(false))
    #expect(try value("'\\u00e9' != 'e\\u0301'") == .bool(true))
    #expect(try value("'e\\u0301'.contains('\\u00e9')") == .bool(false))
    #expect(try error("{'\\u00e9': 1}['e\\u0301']")?.hasPrefix("no such key") == true)
  }

  @Test(.timeLimit(.minutes(1))) func stopsRunawayComprehensionsWithABudgetError() throws {
    let hundred = "[" + (1...100).map(String.init).joined(separator: ",") + "]"
    let text = "\(hundred).map(x, \(hundred).map(y, \(hundred).map(z, z))).size() > 0"
    #expect(try error(text)?.hasPrefix("evaluation budget exceeded") == true)
  }

  /// Every timestamp and duration accessor against the table of the CEL
  /// language definition (langdef.md, "Standard Definitions"), one by one.
  @Test func timeAccessorsReturnTheComponentsTheLanguageDefinitionGives() throws {
    // 2009-02-13T23:31:30.123456789Z was a Friday, day 43 of its year (zero-based).
    let t = "timestamp('2009-02-13T23:31:30.123456789Z')"
    let expected: [(String, Int64)] = [
      ("getFullYear()", 2009), ("getMonth()", 1), ("getDate()", 13), ("getDayOfMonth()", 12),
      ("getDayOfWeek()", 5), ("getDayOfYear()", 43), ("getHours()", 23), ("getMinutes()", 31),
      ("getSeconds()", 30), ("getMilliseconds()", 123),
      // With a time zone: 2009-02-14T08:31:30.123 in Tokyo, a Saturday, day 44.
      ("getFullYear('Asia/Tokyo')", 2009), ("getMonth('Asia/Tokyo')", 1), ("getDate('Asia/Tokyo')", 14),
      ("getDayOfMonth('Asia/Tokyo')", 13), ("getDayOfWeek('Asia/Tokyo')", 6), ("getDayOfYear('Asia/Tokyo')", 44),
      ("getHours('+09:00')", 8), ("getMinutes('-00:30')", 1), ("getSeconds('Asia/Tokyo')", 30),
      ("getMilliseconds('Asia/Tokyo')", 123),
    ]
    for (accessor, value) in expected {
      #expect(try self.value("\(t).\(accessor)") == .int(value), "\(accessor)")
    }
    // New Year's Eve: month 11, day of year 364, and the year rolls over east of UTC.
    #expect(try value("timestamp('2025-12-31T23:00:00Z').getMonth()") == .int(11))
    #expect(try value("timestamp('2025-12-31T23:00:00Z').getDayOfYear()") == .int(364))
    #expect(try value("timestamp('2025-12-31T23:00:00Z').getFullYear('+02:00')") == .int(2026))
    // Durations: hours, minutes and seconds are the whole duration; milliseconds the part below the second.
    let durations: [(String, Int64)] = [
      ("duration('10000s').getHours()", 2), ("duration('3730s').getMinutes()", 62),
      ("duration('3730.5s').getSeconds()", 3730), ("duration('3730.5s').getMilliseconds()", 500),
      ("duration('1.234s').getMilliseconds()", 234), ("duration('2h').getMilliseconds()", 0),
      ("duration('-1.5s').getSeconds()", -1), ("duration('-1.5s').getMilliseconds()", -500),
    ]
    for (expression, value) in durations {
      #expect(try self.value(expression) == .int(value), "\(expression)")
    }
  }

  /// `math.least` and `math.greatest` from CEL's math extension.
  @Test func mathLeastAndGreatestPickANumberKeepingItsKind() throws {
    #expect(try value("math.least(3, 1, 2)") == .int(1))
    #expect(try value("math.greatest(3, 1, 2)") == .int(3))
    #expect(try value("math.least([5, -2, 7])") == .int(-2))
    #expect(try value("math.greatest(1, 2.5)") == .double(2.5))
    #expect(try value("math.least(1u, 2)") == .uint(1))
    #expect(try value("math.least(7)") == .int(7))
    #expect(try value("200 - math.least(200, 250)") == .int(0))
    // The first of equals is kept: 1 and 1.0 are equal, so the int stays.
    #expect(try value("math.greatest(1, 1.0)") == .int(1))
    #expect(throws: EvalError.self) { try value("math.least(dyn([]))") }
    #expect(throws: EvalError.self) { try value("math.least(dyn(['a', 'b']))") }
    #expect(throws: EvalError.self) { try value("math.greatest(1, double('NaN'))") }
  }

  @Test func evaluatesTimestampsFromTheActionNotTheClock() throws {
    #expect(try value("timestamp('2026-03-01T10:00:00Z').getDayOfWeek()") == .int(0))
    #expect(try value("timestamp('2026-03-01T23:30:00Z').getHours('+02:00')") == .int(1))
    #expect(
      try value("timestamp('2026-03-01T10:00:00Z') + duration('36h') == timestamp('2026-03-02T22:00:00Z')")
        == .bool(true))
    #expect(try value("timestamp('2019-11-13T00:00:00Z') > timestamp('2019-11-12T23:59:59Z') ? 10 : 5") == .int(10))
  }

  @Test func runsUncheckedExpressionsWithRuntimeErrors() throws {
    #expect(try env.evaluate("f_unknown(17) || true", checked: false).get() == .bool(true))
    #expect(try error("'a' < 1", checked: false)?.hasPrefix("no such overload") == true)
  }
}
