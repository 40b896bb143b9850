import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelExpression
import LaurelRules
import Synchronization
import Testing

/// Drives a scheme from `rules/` action by action, in memory.
struct Scenario {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  var simulation: Simulation
  var rules: CompiledRules { simulation.rules }
  private var next = 0

  init(_ file: String) throws {
    simulation = Simulation(rules: try Self.shipped(file))
  }

  /// The compiled rules of a file in `rules/`, compiled once per test process
  /// (every test of a suite starts a scenario; compiling each time cost the
  /// suites tens of seconds of the threads they share).
  static func shipped(_ file: String) throws -> CompiledRules {
    if let rules = compiled.withLock({ $0[file] }) { return rules }
    let rules = try RuleLoader().load(paths: [repository.appendingPathComponent("rules/\(file)").path])
    compiled.withLock { $0[file] = rules }
    return rules
  }

  private static let compiled = Mutex<[String: CompiledRules]>([:])

  init(yaml: String) throws {
    simulation = Simulation(rules: try RuleLoader().load(text: yaml, file: "scenario.yaml"))
  }

  /// Applies an action given as JSON; `id` is generated unless the JSON has one.
  @discardableResult
  mutating func apply(_ json: String) throws -> Outcome {
    next += 1
    var text = json
    if !text.contains("\"id\"") { text = "{\"id\":\"a\(next)\"," + text.dropFirst() }
    let prepared = try ActionDecoder(rules: rules).decode(text)
    simulation.apply(prepared)
    return simulation.lastOutcome
  }

  /// Applies a malformed action the way `simulate` does (decode errors are rejections).
  mutating func applyRaw(_ json: String) {
    var copy = json
    copy.withUTF8 { simulation.apply(jsonLine: $0, line: 0) }
  }

  /// A member's profile; nil for one the simulation has never seen.
  func member(_ user: String, in scope: String? = nil) -> MemberProfile? {
    let id = MemberID(scope: scope, user: user)
    return simulation.state.state(of: id).map { rules.profile(of: id, state: $0) }
  }

  func balance(_ user: String, in scope: String? = nil, _ currency: String) -> Int64? {
    member(user, in: scope)?.balance(currency)
  }

  func tier(_ user: String, in scope: String? = nil, _ ladder: String) -> MemberProfile.Tier? {
    member(user, in: scope)?.tier(ladder)
  }
}
