import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelRules
import Testing

/// `rules/stack-exchange.yaml`, rule by rule and badge by badge, against the
/// help centres' rules ("What is reputation?", "What are badges?").
@Suite struct StackExchangeTests {
  /// A Stack Exchange day after 2019-11-13 (question upvotes pay +10).
  static let day = "2026-03-02"
  var s: Scenario
  private var minute = 0

  init() throws { s = try Scenario("stack-exchange.yaml") }

  /// Applies one action; times move forward a minute per action within `day`
  /// unless `at` is given.
  @discardableResult
  mutating func act(
    _ type: String, by user: String, at: String? = nil, _ fields: [String: Any] = [:]
  ) throws
    -> Outcome
  {
    minute += 1
    var object = fields
    object["type"] = type
    object["user"] = user
    object["at"] = at ?? "\(Self.day)T\(String(format: "%02d:%02d", minute / 60, minute % 60)):00Z"
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return try s.apply(String(decoding: data, as: UTF8.self))
  }

  func reputation(_ user: String) -> Int64? { s.balance(user, "reputation") }
  /// A post's own counter (`answer_score`, `accepted`…), 0 for a post never counted.
  func post(_ key: String, _ counter: String) -> Int64? {
    s.simulation.objectCounters(of: "post", key: key)?.first { $0.name == counter }?.total
  }
  func badges(_ user: String) -> [String] {
    (s.member(user)?.badges ?? []).map { badge in badge.key.map { "\(badge.badge):\($0)" } ?? badge.badge }
  }

  // MARK: - Reputation

  @Test mutating func questionUpvotesPayFiveBeforeNovember2019AndTenAfter() throws {
    try act("question_upvoted", by: "v", at: "2019-11-12T23:59:59Z", ["post": "q1", "owner": "ann"])
    #expect(reputation("ann") == 6)
    try act("question_upvoted", by: "v", at: "2019-11-13T00:00:00Z", ["post": "q1", "owner": "ann"])
    #expect(reputation("ann") == 16)
  }

  @Test mutating func answerUpvotesPayTenAndVotersNothing() throws {
    try act("answer_upvoted", by: "v", ["post": "a1", "owner": "ann"])
    #expect(reputation("ann") == 11)
    #expect(reputation("v") == nil, "an upvote costs the voter nothing (no state at all)")
  }

  @Test mutating func downvotesTakeTwoFromTheOwnerAndOneFromAnAnswersVoter() throws {
    for _ in 0..<3 { try act("answer_upvoted", by: "v", ["post": "a1", "owner": "ann"]) }
    try act("question_upvoted", by: "v", ["post": "q1", "owner": "bob"])
    try act("answer_upvoted", by: "ann", ["post": "a9", "owner": "v"])
    try act("answer_downvoted", by: "v", ["post": "a1", "owner": "ann"])
    #expect(reputation("ann") == 29)
    #expect(reputation("v") == 10, "downvoting an answer costs the voter 1")
    try act("question_downvoted", by: "v", ["post": "q1", "owner": "bob"])
    #expect(reputation("bob") == 9)
    #expect(reputation("v") == 10, "downvoting a question is free")
  }

  @Test mutating func reputationNeverGoesBelowOne() throws {
    try act("answer_downvoted", by: "v", ["post": "a1", "owner": "new"])
    try act("question_downvoted", by: "v", ["post": "q1", "owner": "new"])
    #expect(reputation("new") == 1)
    #expect(reputation("v") == 1, "the voter's -1 stops at the floor too")
    try act("bounty_offered", by: "new", ["post": "q1", "amount": 50])
    #expect(reputation("new") == 1, "a bounty beyond the balance stops at 1")
  }

  @Test mutating func twoHundredADayFromVotesAndADownvoteFreesRoom() throws {
    for n in 0..<21 { try act("answer_upvoted", by: "v\(n)", ["post": "a1", "owner": "ann"]) }
    #expect(reputation("ann") == 201, "20 upvotes pay 200, the 21st nothing")
    try act("answer_downvoted", by: "d", ["post": "a1", "owner": "ann"])
    #expect(reputation("ann") == 199)
    let next = try act("answer_upvoted", by: "w", ["post": "a2", "owner": "ann"])
    #expect(next.ledger.map(\.amount) == [2], "the downvote freed 2 under the cap")
    #expect(reputation("ann") == 201)
    try act("answer_accepted", by: "asker", ["post": "a3", "owner": "ann"])
    try act("bounty_awarded", by: "asker", ["post": "a3", "owner": "ann", "amount": 100])
    #expect(reputation("ann") == 316, "accepts and bounties are outside the cap")
    let tomorrow = try act("answer_upvoted", by: "w", at: "2026-03-03T00:00:00Z", ["post": "a2", "owner": "ann"])
    #expect(tomorrow.ledger.map(\.amount) == [10], "a new UTC day starts a new cap")
  }

  @Test mutating func acceptsPayTheAnswererFifteenAndTheAskerTwo() throws {
    try act("answer_accepted", by: "asker", ["post": "a1", "owner": "ann"])
    #expect(reputation("ann") == 16)
    #expect(reputation("asker") == 3)
  }

  @Test mutating func aSelfAcceptPaysNobody() throws {
    let outcome = try act("answer_accepted", by: "ann", ["post": "a1", "owner": "ann"])
    #expect(outcome.status == .applied)
    #expect(outcome.ledger.isEmpty)
    #expect(reputation("ann") == 1)
    #expect(!badges("ann").contains("scholar"), "accepting your own answer is not Scholar's accept")
  }

  @Test mutating func communityWikiPostsEarnTheirOwnerNothing() throws {
    try act("answer_upvoted", by: "v", ["post": "w1", "owner": "ann", "wiki": true])
    try act("question_upvoted", by: "v", ["post": "w2", "owner": "ann", "wiki": true])
    #expect(post("w1", "answer_score") == 1 && post("w2", "question_score") == 1, "the posts' scores still move")
    try act("answer_downvoted", by: "v", ["post": "w1", "owner": "ann", "wiki": true])
    try act("answer_accepted", by: "asker", ["post": "w1", "owner": "ann", "wiki": true])
    #expect(reputation("ann") == 1, "votes and accepts on wiki posts pay the owner nothing")
    #expect(reputation("asker") == 3, "the asker still gets +2 for accepting")
    #expect(post("w1", "answer_score") == 0, "+1 -1")
  }

  @Test mutating func aDeletedOwnerIsPaidNothingAndTheVoteStillCounts() throws {
    let outcome = try act("answer_downvoted", by: "v", ["post": "a1"])
    #expect(outcome.status == .applied, "a missing owner is not a malformed action here")
    #expect(reputation("v") == 1, "the voter's -1 stops at the floor of 1")
    try act("answer_upvoted", by: "v", ["post": "a1"])
    try act("bounty_awarded", by: "v", ["post": "a1", "amount": 50])
    #expect(s.simulation.memberCount == 1, "only the voter exists")
    #expect(post("a1", "answer_score") == 0, "the votes moved the post's own score: -1 +1")
  }

  @Test mutating func bountiesMoveReputationFromOffererToWinner() throws {
    try act("answer_accepted", by: "x", ["post": "a0", "owner": "rich"])
    for n in 0..<10 { try act("answer_upvoted", by: "v\(n)", ["post": "a0", "owner": "rich"]) }
    #expect(reputation("rich") == 116)
    try act("bounty_offered", by: "rich", ["post": "q1", "amount": 50])
    #expect(reputation("rich") == 66)
    try act("bounty_awarded", by: "rich", ["post": "a1", "owner": "ann", "amount": 50])
    #expect(reputation("ann") == 51)
  }

  // MARK: - Badges

  @Test mutating func studentAndTeacherOnTheFirstPositiveScore() throws {
    try act("question_upvoted", by: "v", ["post": "q1", "owner": "ann"])
    try act("answer_upvoted", by: "v", ["post": "a1", "owner": "ann"])
    try act("answer_upvoted", by: "w", ["post": "a2", "owner": "ann"])
    #expect(badges("ann") == ["student", "teacher"], "each once")
    try act("answer_downvoted", by: "v", ["post": "a5", "owner": "bob"])
    #expect(badges("bob").isEmpty, "a negative score earns nothing")
  }

  @Test mutating func niceAnswerOncePerPostAtTheFirstCrossing() throws {
    for n in 0..<9 { try act("answer_upvoted", by: "v\(n)", ["post": "a1", "owner": "ann"]) }
    #expect(!badges("ann").contains("nice_answer:a1"), "9 is not 10")
    let tenth = try act("answer_upvoted", by: "v9", ["post": "a1", "owner": "ann"])
    #expect(tenth.badges.map(\.badge) == ["nice_answer"])
    try act("answer_downvoted", by: "d", ["post": "a1", "owner": "ann"])
    try act("answer_upvoted", by: "v10", ["post": "a1", "owner": "ann"])
    #expect(badges("ann").filter { $0.hasPrefix("nice_answer") } == ["nice_answer:a1"], "kept, and not earned twice")
    for n in 0..<10 { try act("answer_upvoted", by: "w\(n)", ["post": "a2", "owner": "ann"]) }
    #expect(
      badges("ann").filter { $0.hasPrefix("nice_answer") } == ["nice_answer:a1", "nice_answer:a2"],
      "repeatable: one per post")
  }

  @Test mutating func aPostsScoreStaysWithThePostWhenItsOwnerChanges() throws {
    for n in 0..<9 { try act("answer_upvoted", by: "v\(n)", ["post": "a1", "owner": "ann"]) }
    let tenth = try act("answer_upvoted", by: "v9", ["post": "a1", "owner": "bob"])
    #expect(
      tenth.badges.map { "\($0.member.user) \($0.badge)" } == ["bob teacher", "bob nice_answer"],
      "the post's 10th vote, and bob's first answer with a score")
    #expect(badges("ann").filter { $0.hasPrefix("nice") }.isEmpty && reputation("bob") == 11)
    #expect(post("a1", "answer_score") == 10)
  }

  @Test mutating func aVoterNeverEarnsThePostsBadges() throws {
    for n in 0..<11 { try act("answer_upvoted", by: "v\(n)", ["post": "a1", "owner": "ann"]) }
    // The voter is touched (a downvote costs them 1) while the post's score is 10.
    try act("answer_downvoted", by: "d", ["post": "a1", "owner": "ann"])
    #expect(reputation("d") == 1 && badges("d").isEmpty, "\(badges("d"))")
    #expect(badges("ann").contains("nice_answer:a1"))
  }

  @Test mutating func goodAndGreatAnswersAndQuestionsAtTwentyFiveAndOneHundred() throws {
    for n in 0..<100 {
      try act("answer_upvoted", by: "v\(n)", ["post": "a1", "owner": "ann"])
      try act("question_upvoted", by: "v\(n)", ["post": "q1", "owner": "bob"])
    }
    #expect(
      Set(badges("ann")).isSuperset(of: ["nice_answer:a1", "good_answer:a1", "great_answer:a1"]))
    #expect(
      Set(badges("bob")).isSuperset(of: ["nice_question:q1", "good_question:q1", "great_question:q1"]))
    #expect(!badges("ann").contains { $0.hasSuffix("question:a1") }, "an answer's score is not a question's")
  }

  @Test mutating func mortarboardCountsReputationEarnedNotNet() throws {
    for n in 0..<19 { try act("answer_upvoted", by: "v\(n)", ["post": "a1", "owner": "ann"]) }
    try act("answer_downvoted", by: "d", ["post": "a1", "owner": "ann"])
    #expect(!badges("ann").contains("mortarboard"), "190 earned")
    try act("answer_upvoted", by: "v19", ["post": "a1", "owner": "ann"])
    #expect(badges("ann").contains("mortarboard"), "200 earned in the day, though the balance moved by 198")
    #expect(reputation("ann") == 199)
  }

  @Test mutating func mortarboardNeedsOneDay() throws {
    for n in 0..<19 { try act("answer_upvoted", by: "v\(n)", ["post": "a1", "owner": "ann"]) }
    try act("answer_upvoted", by: "v19", at: "2026-03-03T00:00:01Z", ["post": "a1", "owner": "ann"])
    #expect(reputation("ann") == 201)
    #expect(!badges("ann").contains("mortarboard"), "190 one day and 10 the next")
    // Reports show a windowed counter with the window it counts, not a bare number from a past day.
    let earned = s.member("ann")?.counter("earned_today")
    #expect(earned?.total == 10 && earned?.window == "day 2026-03-03")
    let json = SimulationReport.json(try #require(s.member("ann")))
    #expect(json.contains(#""counter_windows":{"earned_today":"day 2026-03-03"}"#), "\(json)")
    #expect(s.member("ann")?.counter("comments")?.window == nil, "a counter never reset has no window")
  }

  @Test mutating func scholarForAcceptingAnAnswerOnYourQuestion() throws {
    try act("answer_accepted", by: "asker", ["post": "a1", "owner": "ann"])
    #expect(badges("asker") == ["scholar"])
  }

  @Test mutating func selfLearnerForAnOwnAnswerScoringThree() throws {
    try act("answer_posted", by: "ann", ["post": "a1", "asker": "ann"])
    try act("answer_posted", by: "ann", ["post": "a2", "asker": "bob"])
    for n in 0..<3 {
      try act("answer_upvoted", by: "v\(n)", ["post": "a1", "owner": "ann"])
      try act("answer_upvoted", by: "v\(n)", ["post": "a2", "owner": "ann"])
    }
    #expect(badges("ann").filter { $0.hasPrefix("self_learner") } == ["self_learner:a1"])
  }

  @Test mutating func commentatorAfterTenComments() throws {
    for n in 0..<9 { try act("comment_posted", by: "ann", ["post": "q\(n)"]) }
    #expect(!badges("ann").contains("commentator"))
    try act("comment_posted", by: "ann", ["post": "q9"])
    #expect(badges("ann") == ["commentator"])
  }

  @Test mutating func enlightenedForTheFirstAnswerAcceptedWithTen() throws {
    try act("answer_posted", by: "ann", ["post": "a1", "asker": "q", "first": true])
    try act("answer_posted", by: "ann", ["post": "a2", "asker": "q", "first": false])
    for n in 0..<10 {
      try act("answer_upvoted", by: "v\(n)", ["post": "a1", "owner": "ann"])
      try act("answer_upvoted", by: "v\(n)", ["post": "a2", "owner": "ann"])
    }
    #expect(!badges("ann").contains { $0.hasPrefix("enlightened") }, "not accepted yet")
    try act("answer_accepted", by: "q", ["post": "a1", "owner": "ann"])
    try act("answer_accepted", by: "q", ["post": "a2", "owner": "ann"])
    #expect(badges("ann").filter { $0.hasPrefix("enlightened") } == ["enlightened:a1"], "a2 was not the first answer")
  }

  /// The sample history replayed under `rules` (on a thread of its own: seconds in a debug build).
  static func replaySample(_ rules: CompiledRules) async throws -> Simulation {
    try await onOwnThread(handingOver: {
      var simulation = Simulation(rules: rules)
      let history = Scenario.repository.appendingPathComponent("rules/examples/stack-exchange-history.jsonl")
      var line = 0
      for var text in try String(contentsOf: history, encoding: .utf8).split(separator: "\n").map(String.init) {
        line += 1
        text.withUTF8 { simulation.apply(jsonLine: $0, line: line) }
      }
      return simulation
    })
  }

  @Test func theSampleHistoryReplaysWithoutRejections() async throws {
    let simulation = try await Self.replaySample(s.rules)
    #expect(simulation.counts.rejected == 0, "\(simulation.rejections.prefix(3))")
    #expect(simulation.counts.applied > 2_500)
    #expect(simulation.memberEvents.badgeEarned > 100)
    let state = simulation.state
    #expect(
      zip(state.ids, state.members).allSatisfy {
        simulation.rules.profile(of: $0, state: $1).balance("reputation")! >= 1
      },
      "reputation never below 1")
  }

  /// Badge conditions that compare counters or balances with numbers (one
  /// comparison, or several joined by `&&`) are read from the state without
  /// running the expression; the same conditions written so that they must
  /// run (`true && (…)`) award the same badges, at the same actions, to the
  /// same members.
  @Test func badgesReadFromStateEqualBadgesEvaluated() async throws {
    let path = Scenario.repository.appendingPathComponent("rules/stack-exchange.yaml")
    let original = try String(contentsOf: path, encoding: .utf8)
    let badgesStart = try #require(original.range(of: "\nbadges:"))
    var wrapped = 0
    let badgeLines = original[badgesStart.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).map {
      line -> Substring in
      guard line.hasPrefix("    when: ") else { return line }
      wrapped += 1
      return "    when: true && (\(line.dropFirst("    when: ".count)))"
    }
    // Rule conditions on the action are decided from its fields; `size([1]) == 1` makes them run too.
    var rulesWrapped = 0
    let ruleLines = original[..<badgesStart.upperBound].split(separator: "\n", omittingEmptySubsequences: false).map {
      line -> Substring in
      guard line.hasPrefix("      when: ") else { return line }
      rulesWrapped += 1
      return "      when: size([1]) == 1 && (\(line.dropFirst("      when: ".count).split(separator: "#")[0]))"
    }
    let yaml = ruleLines.joined(separator: "\n") + badgeLines.joined(separator: "\n")
    #expect(wrapped == 13, "every badge condition of the scheme is wrapped")
    #expect(rulesWrapped == 11, "every rule condition of the scheme is wrapped")
    let evaluated = try await Self.replaySample(try RuleLoader().load(text: yaml, file: "stack-exchange.yaml"))
    let read = try await Self.replaySample(s.rules)
    func badges(_ simulation: Simulation) -> [String] {
      zip(simulation.state.ids, simulation.state.members).flatMap { id, state in
        simulation.rules.profile(of: id, state: state).badges.map {
          "\(id) \($0.badge) \($0.key ?? "-") \($0.earnedAt)"
        }
      }
    }
    #expect(read.memberEvents.badgeEarned > 100)
    #expect(read.counts.applied == evaluated.counts.applied && read.counts.rejected == evaluated.counts.rejected)
    let balances = { (simulation: Simulation) in
      zip(simulation.state.ids, simulation.state.members).map {
        "\($0) \(simulation.rules.profile(of: $0, state: $1).balance("reputation")!)"
      }
    }
    #expect(balances(read) == balances(evaluated))
    let (fromState, fromExpressions) = (badges(read), badges(evaluated))
    let difference = zip(fromState, fromExpressions).first { $0 != $1 }
    #expect(
      fromState.count == fromExpressions.count && difference == nil,
      "\(fromState.count) badges read from the state, \(fromExpressions.count) evaluated; first difference: \(String(describing: difference))"
    )
  }
}
