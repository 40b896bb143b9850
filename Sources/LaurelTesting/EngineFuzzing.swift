import Foundation
@_spi(StoreAdapter) public import Laurel
import LaurelExpression
import LaurelRules
import LaurelReports

/// Turns arbitrary bytes into a rule file and a history and runs the engine
/// on them, for fuzzers (`laurel-fuzz`, libFuzzer) and the property-based
/// test. The bytes choose the rule values (amounts, floors, caps, thresholds,
/// counts, at Int64's edges among others) and each action's type, time
/// (forwards and backwards), user and field values (huge or negative
/// numbers, invalid UTF-8, regular expressions). Whatever they are, loading
/// must give rules or diagnostics and every action an outcome: nothing may
/// trap. Invariants that must hold are checked and reported as failures.
public enum EngineFuzzing {
  /// Values that reach the edges of 64-bit arithmetic.
  static let interesting: [Int64] = [
    0, 1, 2, 3, 5, 10, 100, -1, -5, .max, .min, .max - 1, .min + 1, 1 << 62, -(1 << 62), 4_611_686_018_427_387_904,
  ]

  static let patterns = ["^(a+)+$", "(a|a)*b", "[", "a{1001}", "(?i)A", "\\\\d+", "", ".*", "(x+x+)+y", "\\\\"]

  /// Reads choices from the input, then zeros once it runs out.
  struct Choices {
    var bytes: [UInt8]
    var position = 0
    mutating func byte() -> UInt8 {
      defer { position += 1 }
      return position < bytes.count ? bytes[position] : 0
    }
    mutating func pick<T>(_ options: [T]) -> T { options[Int(byte()) % options.count] }
    mutating func number() -> Int64 {
      let b = byte()
      if b < 200 { return Self.small(b, interesting: EngineFuzzing.interesting) }
      var value: UInt64 = 0
      for _ in 0..<8 { value = value << 8 | UInt64(byte()) }
      return Int64(bitPattern: value)
    }
    static func small(_ b: UInt8, interesting: [Int64]) -> Int64 { interesting[Int(b) % interesting.count] }
    /// A number of 0 or more (amounts): the magnitude of ``number()``.
    mutating func natural() -> Int64 {
      let n = number()
      return n == .min ? .max : abs(n)
    }
    var exhausted: Bool { position >= bytes.count }
  }

  /// The rule file the choices make, and the lowest `points` balance its
  /// floor and start allow (deductions stop at the floor; a start below it stays).
  static func ruleFile(_ c: inout Choices) -> (text: String, lowestPoints: Int64) {
    // Mostly valid values (an invalid file runs no action), at every edge all the same.
    let floor = c.number()
    let start = c.byte() % 8 == 0 ? c.number() : max(floor, c.number())
    let two = max(1, min(c.natural(), .max - 2))
    let (sum, overflow) = two.addingReportingOverflow(1 + c.natural() / 2)
    let three = c.byte() % 8 == 0 ? c.number() : overflow ? .max : sum
    let text = """
      scheme: fuzz
      members: { scope: \(c.pick(["event.community", "event.community + ''"])) }
      time_zone: \(c.pick(["UTC", "Europe/Paris", "Pacific/Kiritimati"]))
      fields: { community: string, author: string, n: int, s: string, p: string, lesson: string }
      traits: { plan: { values: [Free, Paid], default: Free } }
      currencies:
        points: { floor: \(floor), start: \(start) }
        xp: {}
      counters:
        likes: { key: event.author }
        today: { tracks: points, window: \(c.pick(["day", "week", "month"])) }
      streaks: { active: { every: day } }
      actions:
        liked:
          - award: { points: \(c.natural()) }
            to: event.author
        unliked:
          - deduct: { points: event.n }
            to: event.author
        computed:
          - award: { points: "event.n * \(c.natural())", xp: "event.n + \(c.natural())" }
            count: { likes: event.n }
        lesson:
          - award: { xp: \(c.natural()) }
            once_per: event.lesson
            cooldown: \(c.pick(["1s", "1h", "30m"]))
        matched:
          - when: "event.s.matches(event.p) || event.s.matches('\(c.pick(["^(a+)+$", "(a|a)*b", "[", "a{1001}", "(?i)A", ".*"]))')"
            award: { points: 1 }
      bonuses:
        daily: { every: day, award: { points: \(c.natural()) } }
      caps:
        per_day: { currency: points, max: \(c.natural()), per: day }
      ladders:
        level:
          currency: points
          policy: \(c.pick(["ratchet", "follow"]))
          segment: plan
          tiers:
            - { name: One, at: 0 }
            - { name: Two, at: \(two) }
            - { name: Three, at: \(three), access: [Paid] }
      badges:
        many: { title: Many, when: "member.counters.today >= \(c.number())" }
        rich: { title: Rich, when: "member.balances.points > \(c.number())" }
      """
    return (text, min(floor, start))
  }

  /// One action line (bytes, possibly not UTF-8).
  static func actionLine(_ c: inout Choices, index: Int, clock: inout Int64) -> [UInt8] {
    clock += Int64(Int8(bitPattern: c.byte())) * 3_600
    clock = min(max(clock, 0), 253_402_300_799)
    let type = c.pick(["liked", "unliked", "computed", "lesson", "matched", "unknown"])
    let at = (try? Timestamp(seconds: clock)).map { "\($0)" } ?? "x"
    let id = c.byte() % 4 == 0 ? index / 2 : index  // some ids repeat
    var line =
      #"{"id":"a\#(id)","type":"\#(type)","at":"\#(at)","user":"u\#(c.byte() % 4)","community":"c\#(c.byte() % 2)""#
    line += #","author":"u\#(c.byte() % 4)","n":\#(c.number()),"lesson":"l\#(c.byte() % 3)","p":"\#(c.pick(patterns))""#
    if c.byte() % 5 == 0 { line += #","traits":{"plan":"\#(c.pick(["Paid", "Free", "Gold"]))"}"# }
    var bytes = Array(line.utf8) + Array(#","s":""#.utf8)
    // The string field: random bytes, often not UTF-8, with the quote and backslash kept out.
    for _ in 0..<(c.byte() % 24) {
      let b = c.byte()
      bytes.append(b == 0x22 || b == 0x5C || b < 0x20 ? 0x61 : b)
    }
    return bytes + Array(#""}"#.utf8)
  }

  /// Runs one input; returns the invariants that did not hold (empty: fine).
  public static func run(_ input: [UInt8]) -> [String] { runReporting(input).failures }

  /// The rules and action lines an input makes (`rules` nil: the file did not compile).
  public static func scenario(_ input: [UInt8]) -> (rules: CompiledRules?, lines: [[UInt8]], lowestPoints: Int64) {
    var choices = Choices(bytes: input)
    let (text, lowestPoints) = ruleFile(&choices)
    guard let rules = try? RuleLoader().load(text: text, file: "fuzz.yaml") else { return (nil, [], lowestPoints) }
    var clock: Int64 = 1_767_225_600
    var lines: [[UInt8]] = []
    while !choices.exhausted && lines.count < 200 {
      lines.append(actionLine(&choices, index: lines.count, clock: &clock))
    }
    return (rules, lines, lowestPoints)
  }

  /// ``run(_:)``, also saying whether the rule file compiled (the actions ran).
  public static func runReporting(_ input: [UInt8]) -> (failures: [String], compiled: Bool) {
    let (compiled, lines, lowestPoints) = scenario(input)
    guard let rules = compiled else { return ([], false) }
    var simulation = Simulation(rules: rules)
    var failures: [String] = []
    for (index, line) in lines.enumerated() {
      line.withUnsafeBufferPointer { simulation.apply(jsonLine: $0, line: index + 1) }
    }
    let report = simulation.report()
    _ = report.json()
    let counts = simulation.counts
    if counts.read != counts.applied + counts.duplicates + counts.ignored + counts.rejected {
      failures.append("counts do not add up: \(counts)")
    }
    for member in report.members {
      if let balance = member.balance("points"), balance < lowestPoints {
        failures.append(
          "\(member.member) holds \(balance) points, below the lowest its floor and start allow (\(lowestPoints))")
      }
    }
    return (failures, true)
  }
}
