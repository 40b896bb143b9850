/// `matches`: an unanchored regular-expression search over Unicode scalars.
///
/// Uses Swift's `Regex`, whose syntax covers the RE2 subset rule files use
/// (classes, alternation, repetition, anchors). Compiled once per literal pattern.
struct RegexMatcher: @unchecked Sendable {
  // Invariant: the regex is built once in init and only read afterwards; Regex
  // matching has no shared mutable state.
  private let regex: Regex<AnyRegexOutput>

  init(_ pattern: String) throws(EvalError) {
    do {
      regex = try Regex(pattern).matchingSemantics(.unicodeScalar)
    } catch {
      throw EvalError("invalid regular expression '\(pattern)'")
    }
  }

  func matches(_ s: String) -> Bool {
    (try? regex.firstMatch(in: s)) != nil
  }
}
