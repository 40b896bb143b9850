import Foundation
import LaurelRules
import Testing

/// Hostile YAML fails with a clear error instead of hanging or exhausting memory
/// (the time limit only stops a regression from hanging the suite; speed is
/// for benchmarks).
@Suite struct HostileInputTests {
  @Test(.timeLimit(.minutes(1))) func rejectsABillionLaughsAliasBomb() throws {
    var yaml =
      "scheme: bomb\nlol0: &l0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
    for i in 1...9 {
      yaml += "lol\(i): &l\(i) [" + Array(repeating: "*l\(i - 1)", count: 9).joined(separator: ", ") + "]\n"
    }
    let diagnostics = try RuleFiles.diagnostics(yaml)
    #expect(
      diagnostics == [
        "broken.yaml:1:1: error: the document expands to more than 50000 YAML nodes (are aliases used to multiply it?); rule files must stay small"
      ])
  }

  @Test(.timeLimit(.minutes(1))) func rejectsAnOversizedDocument() throws {
    let yaml = "scheme: big\ndescription: \"" + String(repeating: "x", count: 2 << 20) + "\"\n"
    let diagnostics = try RuleFiles.diagnostics(yaml)
    #expect(diagnostics.count == 1)
    #expect(
      diagnostics[0].hasPrefix(
        "broken.yaml:1:1: error: the file is over 1048576 bytes; rule files are limited to 1048576 bytes"))
  }

  @Test func acceptsModestAliasesThatStayWithinTheBudget() throws {
    let yaml = """
      scheme: anchors
      currencies: { xp: {} }
      actions:
        a: &pay [ { award: { xp: 1 } } ]
        b: *pay
      """
    // The alias repeats the rule, so b's rule is a copy of a's: both valid, nothing to report.
    #expect(try RuleFiles.diagnostics(yaml) == [])
  }
}
