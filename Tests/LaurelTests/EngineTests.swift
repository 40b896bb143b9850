import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelRules
import Testing

/// The embedding API: an Engine over a store, one action at a time, concurrently.
@Suite struct EngineTests {
  let rules: CompiledRules

  init() throws {
    rules = try RuleLoader().load(paths: [
      Scenario.repository.appendingPathComponent("rules/community-points.yaml").path
    ])
  }

  func like(_ id: Int, author: String) -> String {
    #"{"id":"e\#(id)","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"u\#(id)","community":"c1","author":"\#(author)","post":"p1"}"#
  }

  @Test func appliesJSONActionsAndReportsNotifications() async throws {
    let engine = Engine(rules: rules, store: InMemoryStore())
    var outcome = Outcome()
    for i in 1...5 { outcome = try await engine.apply(json: like(i, author: "ann")) }
    #expect(outcome.status == .applied)
    #expect(
      outcome.memberEvents == [
        .pointsAwarded(outcome.ledger[0]),
        .leveledUp(
          TierChange(member: MemberID(scope: "c1", user: "ann"), ladder: "level", from: 1, to: 2, name: "Learner")),
      ])
    #expect(try await engine.apply(json: like(5, author: "ann")).status == .duplicate)
    let members = try await engine.store.members()
    #expect(members.map(\.0) == [MemberID(scope: "c1", user: "ann")])
    #expect(engine.rules.profile(of: members[0].0, state: members[0].1).balance("points") == 5)
  }

  @Test func rejectsMalformedJSONWithAReason() async throws {
    let engine = Engine(rules: rules, store: InMemoryStore())
    let outcome = try await engine.apply(json: #"{"id":"x","type":"post_liked","at":"2026-03-01T10:00:00Z""#)
    #expect(outcome.status == .rejected(ActionError(.invalidJSON, "invalid JSON at byte 58: expected ',' or '}'")))
    guard case .rejected(let error) = outcome.status else { return }
    #expect(error.code == "ACTION_INVALID_JSON")
    #expect(try await engine.store.members().isEmpty)
  }

  @Test func loosesNoUpdateUnderConcurrentWriters() async throws {
    let engine = Engine(rules: rules, store: InMemoryStore())
    await withTaskGroup(of: Void.self) { group in
      for i in 1...400 {
        group.addTask { _ = try? await engine.apply(json: like(i, author: i % 2 == 0 ? "ann" : "bob")) }
      }
    }
    let balances = try await engine.profiles(inScope: "c1").map { $0.balance("points") }
    #expect(balances == [200, 200])
  }

  /// `path` replayed under the suite's rules, on a thread of its own.
  func replayed(_ path: String, parallel: Bool) async throws -> Simulation {
    let rules = rules
    return try await onOwnThread(handingOver: {
      var simulation = Simulation(rules: rules)
      try simulation.run(path: path, parallel: parallel)
      return simulation
    })
  }

  @Test func replaysTheSameOnOneOrTwoCores() async throws {
    let history = Scenario.repository.appendingPathComponent("rules/examples/community-history.jsonl").path
    let sequential = try await replayed(history, parallel: false)
    let parallel = try await replayed(history, parallel: true)
    #expect(sequential.report().json() == parallel.report().json())
    #expect(sequential.counts.read == 2000)
  }

  /// Lines that cannot be decoded, anywhere in a decoding thread's batch of
  /// 4,096 (first, last, across the boundary), and repeated ids across batches.
  @Test func replaysUndecodableLinesTheSameOnOneOrTwoCores() async throws {
    let history = try String(
      contentsOf: Scenario.repository.appendingPathComponent("rules/examples/community-history.jsonl"), encoding: .utf8)
    let base = history.split(separator: "\n").map(String.init)
    var lines: [String] = []
    for copy in 0..<5 {  // ids e1... get a suffix per copy; copy 4 repeats copy 0's ids
      lines += base.map { $0.replacingOccurrences(of: #""id":"e"#, with: #""id":"c\#(copy % 4)-e"#) }
    }
    for position in [0, 17, 4095, 4096, 4097, 8191, 8192, lines.count] {
      lines.insert(position % 2 == 0 ? #"{"id":"broken","type":}"# : "not json", at: position)
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "laurel-batches-\(UUID().uuidString).jsonl")
    try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let sequential = try await replayed(file.path, parallel: false)
    let parallel = try await replayed(file.path, parallel: true)
    #expect(sequential.counts == parallel.counts)
    #expect(sequential.counts.rejected >= 8 && sequential.counts.duplicates >= 2000)
    #expect(sequential.rejections.map(\.line) == parallel.rejections.map(\.line))
    #expect(sequential.rejections.map(\.error.message) == parallel.rejections.map(\.error.message))
    #expect(sequential.report().json() == parallel.report().json())
  }
}

/// Duplicate ids around rejections behave the same on one core and two.
@Suite struct ReplayModeTests {
  @Test(arguments: [false, true])
  func treatsARepeatOfARejectedActionAsNew(parallel: Bool) throws {
    let rules = try RuleLoader().load(paths: [
      Scenario.repository.appendingPathComponent("rules/community-points.yaml").path
    ])
    let lines = [
      #"{"id":"a","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"u1","community":"c1","post":"p1"}"#,  // rejected: no author
      #"{"id":"a","type":"post_liked","at":"2026-03-01T10:00:01Z","user":"u1","community":"c1","author":"ann","post":"p1"}"#,  // applies
      #"{"id":"a","type":"post_liked","at":"2026-03-01T10:00:02Z","user":"u1","community":"c1","author":"ann","post":"p1"}"#,  // duplicate
      #"{"id":"b","type":"post_created","at":"2026-03-01T10:00:03Z","user":"ann","community":"c1","author":"ann","post":"p2"}"#,
      #"{"id":"b","type":"post_created","at":"2026-03-01T10:00:04Z","user":"ann","community":"c1","author":"ann","post":"p2"}"#,  // duplicate
      #"{"id":"c","type":"profile_viewed","at":"2026-03-01T10:00:05Z","user":"ann","community":"c1"}"#,  // ignored
      #"{"id":"c","type":"profile_viewed","at":"2026-03-01T10:00:06Z","user":"ann","community":"c1"}"#,  // duplicate
      #"{"id":"d","type":"post_liked","at":"2026-03-01T10:00:07Z","user":"u2","community":"c1"}"#,  // rejected
      #"{"id":"d","type":"post_liked","at":"2026-03-01T10:00:08Z","user":"u2","community":"c1"}"#,  // rejected again
    ]
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-modes-\(UUID().uuidString).jsonl")
    try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    var simulation = Simulation(rules: rules)
    try simulation.run(path: file.path, parallel: parallel)
    #expect(simulation.counts.applied == 2)
    #expect(simulation.counts.duplicates == 3)
    #expect(simulation.counts.ignored == 1)
    #expect(simulation.counts.rejected == 3)
    #expect(simulation.report().members.map { $0.balance("points") } == [3])
    // Ids stay known after the run: replaying the same file again changes nothing.
    try simulation.run(path: file.path, parallel: parallel)
    #expect(simulation.counts.applied == 2)
    #expect(simulation.counts.rejected == 5, "the rejected d is still not recorded")
  }

  @Test func appliesABlockOfActionsExactlyAsOneAtATime() throws {
    let rules = try RuleLoader().load(paths: [
      Scenario.repository.appendingPathComponent("rules/community-points.yaml").path
    ])
    let history = try String(
      contentsOf: Scenario.repository.appendingPathComponent("rules/examples/community-history.jsonl"), encoding: .utf8)
    var lines = history.split(separator: "\n").map(String.init)
    // Repeats and a rejection around block boundaries (apply(contentsOf:) looks ids up 16 at a time).
    lines.insert(lines[3], at: 15)
    lines.insert(
      #"{"id":"x","type":"post_liked","at":"2026-03-01T10:00:00Z","user":"u1","community":"c1","post":"p1"}"#, at: 16)
    lines.insert(
      #"{"id":"x","type":"post_liked","at":"2026-03-01T10:00:01Z","user":"u1","community":"c1","author":"ann","post":"p1"}"#,
      at: 17)
    lines.insert(lines[17], at: 32)
    let decoder = ActionDecoder(rules: rules)
    let actions = lines.compactMap { try? decoder.decode($0) }
    var one = Simulation(rules: rules)
    for action in actions { one.apply(action) }
    var block = Simulation(rules: rules)
    block.apply(contentsOf: actions)
    #expect(one.counts == block.counts)
    #expect((one.counts.duplicates, one.counts.rejected) == (2, 1))
    #expect(one.report().json() == block.report().json())
  }

  /// Bulk replays count an action's effects (Outcome.tally) instead of listing
  /// them: the counts must be what the list says, on both seed schemes.
  @Test(arguments: [
    ("community-points.yaml", "community-history.jsonl"), ("xp-grades-badges.yaml", "xp-history.jsonl"),
  ])
  func countsWhatItLists(scheme: String, history: String) throws {
    let rules = try RuleLoader().load(paths: [Scenario.repository.appendingPathComponent("rules/\(scheme)").path])
    let text = try String(
      contentsOf: Scenario.repository.appendingPathComponent("rules/examples/\(history)"), encoding: .utf8)
    let decoder = ActionDecoder(rules: rules)
    let actions = text.split(separator: "\n").compactMap { try? decoder.decode(String($0)) }
    var listed = Simulation(rules: rules)
    var expected = MemberEventCounts()
    for action in actions {
      listed.apply(action)
      let outcome = listed.lastOutcome
      guard outcome.status == .applied else { continue }
      expected.pointsAwarded += outcome.ledger.filter { $0.amount > 0 }.count
      expected.pointsDeducted += outcome.ledger.filter { $0.amount < 0 }.count
      expected.leveledUp += outcome.tierChanges.map(\.steps).reduce(0, +)
      expected.leveledDown += outcome.tierChanges.filter { $0.to < $0.from }.count
      expected.badgeEarned += outcome.badges.count
    }
    var counted = Simulation(rules: rules)
    counted.apply(contentsOf: actions)
    #expect(listed.memberEvents == expected)
    #expect(counted.memberEvents == expected)
    #expect(expected.pointsAwarded > 0 && expected.leveledUp > 0)
    #expect(counted.lastOutcome.ledger.isEmpty, "a bulk replay lists nothing")
  }
}
