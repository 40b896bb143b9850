import Foundation
import LaurelExpression

/// ns per evaluation of compiled expressions vs a hand-written Swift closure computing the same thing.
enum ExpressionBench {
  struct Case {
    var name: String
    var source: String
    var handWritten: (Activation) -> Value
  }

  static func run() {
    var env = Declarations()
    let a = env.declare("event.a", .int)
    let b = env.declare("event.b", .int)
    let name = env.declare("event.name", .string)
    let minutes = env.declare("event.minutes", .int)
    let module = env.declare("event.module", .string)
    let tags = env.declare("event.tags", .list(.string))
    let counts = ["m1": Int64(251), "m2": 3]
    let countsMap = try! MapValue(counts.map { (MapKey.string($0.key), Value.int($0.value)) })
    env.declare(
      "member.counters.module_messages", .map(.string, .int),
      resolver: { _ in .map(countsMap) },
      keyedResolver: { _, key in .int(counts[key.plainText] ?? 0) })
    let activation = Activation(slotCount: env.slotCount)
    activation.variables[a] = .int(4)
    activation.variables[b] = .int(5)
    activation.variables[name] = .string("xavier")
    activation.variables[minutes] = .int(30)
    activation.variables[module] = .string("m1")
    activation.variables[tags] = .list((0..<10).map { .string("tag\($0)") })

    let cases = [
      Case(name: "1 arithmetic && startsWith", source: "event.a + event.b * 2 > 10 && event.name.startsWith(\"x\")") {
        act in
        guard case .int(let x)? = act.variables[a], case .int(let y)? = act.variables[b],
          case .string(let n)? = act.variables[name]
        else { return .null }
        return .bool(x + y * 2 > 10 && n.utf8.starts(with: "x".utf8))
      },
      Case(name: "2 keyed counter lookup", source: "member.counters.module_messages[event.module] >= 250") { act in
        guard case .string(let m)? = act.variables[module] else { return .null }
        return .bool((counts[m] ?? 0) >= 250)
      },
      Case(name: "3 int product", source: "event.minutes * 2") { act in
        guard case .int(let m)? = act.variables[minutes] else { return .null }
        return .int(m * 2)
      },
      Case(name: "4 exists over 10 tags", source: "event.tags.exists(t, t == \"featured\")") { act in
        guard case .list(let items)? = act.variables[tags] else { return .null }
        return .bool(items.contains { if case .string(let s) = $0 { s == "featured" } else { false } })
      },
    ]
    print("\n== expressions (ns per evaluation, best of 5 x 1M)")
    print("case                          compiled   hand-written   ratio")
    let n = 1_000_000
    for c in cases {
      let program = try! ExpressionCompiler(declarations: env).compile(c.source)
      precondition((try? program.evaluate(activation)) == c.handWritten(activation), "\(c.name): results differ")
      var sink = 0
      let compiled = Measure.nanosPerIteration(iterations: n) {
        for _ in 0..<n { if case .bool(true)? = try? program.evaluate(activation) { sink &+= 1 } }
      }
      let hand = Measure.nanosPerIteration(iterations: n) {
        for _ in 0..<n { if case .bool(true) = c.handWritten(activation) { sink &+= 1 } }
      }
      blackHole(sink)
      print(
        "\(c.name.padding(toLength: 28, withPad: " ", startingAt: 0))  \(Measure.format(compiled).leftPad(8))   \(Measure.format(hand).leftPad(12))   \(Measure.format(compiled / hand, 2).leftPad(5))x"
      )
    }
    let typical = "has(event.minutes) && event.minutes >= 5 && member.counters.module_messages[event.module] < 250"
    let compileNanos = Measure.nanosPerIteration(iterations: 2000) {
      for _ in 0..<2000 { blackHole(try! ExpressionCompiler(declarations: env).compile(typical)) }
    }
    print("parse + check + plan of a typical rule expression: \(Measure.format(compileNanos / 1000, 2)) µs")
  }
}

@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

extension String {
  func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
