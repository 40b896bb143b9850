import Testing

@testable import LaurelExpression

/// Random and mutated expressions must parse, check and evaluate without a
/// crash or a hang: every failure is a diagnostic or an error value.
@Suite struct FuzzTests {
  struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  static let atoms = [
    "1", "0", "-1", "2u", "1.5", "'x'", "\"\"", "true", "null", "event.minutes", "event.name", "event.tags",
    "[1, 2]", "{'a': 1}", "9223372036854775807", "timestamp('2026-01-01T00:00:00Z')", "duration('1h')", "x",
  ]
  static let binary = ["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||", "in"]
  static let seeds = [
    "event.a + event.b * 2 > 10 && event.name.startsWith(\"x\")",
    "event.tags.exists(t, t == 'featured')", "event.tags.map(t, size(t)).filter(n, n > 1)",
    "[1,2,3].all(x, x > 0) ? {'k': [1u, 2.0]}['k'][0] : int('7')", "has({'a': {'b': 1}}.a.b)",
  ]

  func randomExpression(_ rng: inout SplitMix, depth: Int) -> String {
    if depth <= 0 { return Self.atoms.randomElement(using: &rng)! }
    switch Int.random(in: 0..<8, using: &rng) {
    case 0: return "(\(randomExpression(&rng, depth: depth - 1)))"
    case 1: return "!\(randomExpression(&rng, depth: depth - 1))"
    case 2:
      return
        "\(randomExpression(&rng, depth: depth - 1)) ? \(randomExpression(&rng, depth: depth - 1)) : \(randomExpression(&rng, depth: depth - 1))"
    case 3:
      return
        "[\(randomExpression(&rng, depth: depth - 1)), \(randomExpression(&rng, depth: depth - 1))].exists(x, \(randomExpression(&rng, depth: depth - 1)))"
    case 4: return "size(\(randomExpression(&rng, depth: depth - 1)))"
    case 5: return "\(randomExpression(&rng, depth: depth - 1))[\(randomExpression(&rng, depth: depth - 1))]"
    default:
      return
        "\(randomExpression(&rng, depth: depth - 1)) \(Self.binary.randomElement(using: &rng)!) \(randomExpression(&rng, depth: depth - 1))"
    }
  }

  func mutate(_ text: String, _ rng: inout SplitMix) -> String {
    var scalars = Array(text.unicodeScalars)
    let alphabet = Array("()[]{}.,:?!'\"\\+-*/%<>=&|`0123456789abcxyzuU é😀\n".unicodeScalars)
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
      let i = scalars.isEmpty ? 0 : Int.random(in: 0..<scalars.count, using: &rng)
      switch Int.random(in: 0..<3, using: &rng) {
      case 0 where !scalars.isEmpty: scalars.remove(at: i)
      case 1: scalars.insert(alphabet.randomElement(using: &rng)!, at: i)
      default: if !scalars.isEmpty { scalars[i] = alphabet.randomElement(using: &rng)! }
      }
    }
    return String(String.UnicodeScalarView(scalars))
  }

  @Test func survivesThousandsOfRandomAndMutatedExpressions() async throws {
    let env = TestEnvironment()
    var rng = SplitMix(state: 2026)
    var compiled = 0
    var evaluatedWithError = 0
    for i in 0..<6000 {
      // Seconds of work in all: the other suites' tasks get their turn now and then.
      if i % 50 == 0 { await Task.yield() }
      let text =
        i % 2 == 0
        ? randomExpression(&rng, depth: Int.random(in: 1...5, using: &rng))
        : mutate(Self.seeds.randomElement(using: &rng)!, &rng)
      for checked in [true, false] {
        guard case .success = env.compile(text, checked: checked) else { continue }
        compiled += 1
        if case .failure = try env.evaluate(text, checked: checked) { evaluatedWithError += 1 }
      }
    }
    #expect(compiled > 1000, "the generator should produce many valid expressions, got \(compiled)")
    #expect(evaluatedWithError > 0)
  }
}
