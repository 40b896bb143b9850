import Foundation
public import LaurelExpression

/// Replays a history of actions in memory under compiled rules: the engine
/// behind `laurel simulate` and `laurel diff`. Deterministic: time comes from
/// each action's `at`.
///
/// ```swift
/// var simulation = Simulation(rules: compiled)
/// try simulation.run(path: "rules/examples/community-history.jsonl")
/// print(simulation.report().json())
/// ```
public struct Simulation {
  public let rules: CompiledRules
  public private(set) var state = InMemoryState()
  public private(set) var counts = EventCounts()
  public private(set) var notifications = NotificationCounts()
  /// The first rejections (line number and reason); `counts.rejected` has the total.
  public private(set) var rejections: [(line: Int, reason: String)] = []
  /// Points per member and rule, when `tracksRules` is on (for diff's "why").
  public private(set) var byRule: [Int: [String: Int64]] = [:]
  public var tracksRules = false
  public var maxKeptRejections = 100

  private let evaluator: Evaluator
  private var outcome = Outcome()
  private var action = PreparedAction()
  private let decoder: ActionDecoder

  public init(rules: CompiledRules) {
    self.rules = rules
    evaluator = Evaluator(rules: rules)
    decoder = ActionDecoder(rules: rules)
  }

  /// Applies one prepared action and returns what it did.
  @discardableResult
  public mutating func apply(_ prepared: PreparedAction, line: Int = 0) -> Outcome {
    counts.read += 1
    evaluator.apply(prepared, to: &state, outcome: &outcome)
    record(line: line)
    return outcome
  }

  /// Decodes and applies one JSON line; a malformed line is counted as rejected.
  public mutating func apply(jsonLine bytes: UnsafeBufferPointer<UInt8>, line: Int) {
    counts.read += 1
    do {
      try decoder.decode(bytes, into: &action)
    } catch {
      counts.rejected += 1
      keep(line: line, reason: error.message)
      return
    }
    evaluator.apply(action, to: &state, outcome: &outcome)
    record(line: line)
  }

  private mutating func record(line: Int) {
    switch outcome.status {
    case .applied:
      counts.applied += 1
      for entry in outcome.ledger {
        if entry.amount > 0 { notifications.pointsAwarded += 1 } else { notifications.pointsDeducted += 1 }
        if tracksRules, let h = state.existingMember(entry.member) {
          byRule[h, default: [:]][entry.rule, default: 0] += entry.amount
        }
      }
      for change in outcome.tierChanges {
        if change.to > change.from { notifications.leveledUp += change.steps } else { notifications.leveledDown += 1 }
      }
      notifications.badgeEarned += outcome.badges.count
    case .duplicate: counts.duplicates += 1
    case .ignored: counts.ignored += 1
    case .rejected(let reason):
      counts.rejected += 1
      keep(line: line, reason: reason)
    }
  }

  private mutating func keep(line: Int, reason: String) {
    if rejections.count < maxKeptRejections { rejections.append((line, reason)) }
  }

  /// Streams a JSONL file (`-` for standard input) through the simulation.
  /// Blank lines are skipped. `progress` is called about every million bytes.
  public mutating func run(path: String, progress: ((Int) -> Void)? = nil) throws {
    let handle: FileHandle
    if path == "-" {
      handle = FileHandle.standardInput
    } else {
      guard let h = FileHandle(forReadingAtPath: path) else {
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
      }
      handle = h
    }
    defer { if path != "-" { try? handle.close() } }
    if path != "-", let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int {
      // About 100 bytes per action line: room for the ids without growing the table mid-run.
      state.reserve(actions: counts.read + size / 100)
    }
    var carry: [UInt8] = []
    var line = 0
    var consumed = 0
    while true {
      let chunk = handle.readData(ofLength: 4 << 20)
      if chunk.isEmpty { break }
      var buffer = carry
      buffer.append(contentsOf: chunk)
      let lastNewline = buffer.lastIndex(of: 0x0A)
      let end = lastNewline.map { $0 + 1 } ?? 0
      buffer.withUnsafeBufferPointer { all in
        var start = 0
        while start < end {
          var stop = start
          while all[stop] != 0x0A { stop += 1 }
          line += 1
          var trimmedStop = stop
          if trimmedStop > start && all[trimmedStop - 1] == 0x0D { trimmedStop -= 1 }
          if !Self.isBlank(all, start, trimmedStop) {
            apply(jsonLine: UnsafeBufferPointer(rebasing: all[start..<trimmedStop]), line: line)
          }
          start = stop + 1
        }
      }
      carry = Array(buffer[end...])
      consumed += chunk.count
      progress?(consumed)
    }
    if !carry.isEmpty {
      line += 1
      carry.withUnsafeBufferPointer { all in
        if !Self.isBlank(all, 0, all.count) { apply(jsonLine: all, line: line) }
      }
    }
  }

  private static func isBlank(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
    var i = from
    while i < to {
      if b[i] != 0x20 && b[i] != 0x09 { return false }
      i += 1
    }
    return true
  }

  /// The report of the final state, members sorted by scope then user.
  public func report() -> SimulationReport {
    SimulationReport(rules: rules, state: state, events: counts, notifications: notifications)
  }
}

/// How many actions were read and what became of them.
public struct EventCounts: Sendable, Equatable {
  public var read = 0
  public var applied = 0
  public var duplicates = 0
  public var ignored = 0
  public var rejected = 0
  public init() {}
}

/// How many domain events the run produced.
public struct NotificationCounts: Sendable, Equatable {
  public var pointsAwarded = 0
  public var pointsDeducted = 0
  /// Tier steps upwards (a jump from 1 to 3 counts 2).
  public var leveledUp = 0
  public var leveledDown = 0
  public var badgeEarned = 0
  public init() {}
}
