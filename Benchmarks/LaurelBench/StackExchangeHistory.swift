import Foundation

/// A generated Stack Exchange history for `rules/stack-exchange.yaml`:
/// questions, answers, votes (a few posts collect most of them, so scores
/// reach the badge thresholds), accepts (some self-accepts), bounties,
/// comments, community-wiki posts and deleted owners. Deterministic for a
/// seed; times move forward from 2019-11-01, across the 2019-11-13 change
/// of question upvotes from +5 to +10.
///
///     laurel-bench generate-stack-exchange --events 2000 > rules/examples/stack-exchange-history.jsonl
struct StackExchangeHistory {
  struct Post {
    var id: String
    var owner: String?
    var wiki: Bool
    var question: Int?  // for an answer: its question's index
  }

  private var random: SplitMix
  private let users: Int
  private var questions: [Post] = []
  private var answers: [Post] = []
  private var answerCount: [Int] = []  // per question
  private var accepted: Set<Int> = []  // questions with an accepted answer
  private var time = 1_572_566_400  // 2019-11-01T00:00:00Z
  private var next = 0

  init(events: Int, seed: UInt64 = 42) {
    random = SplitMix(seed: seed)
    users = max(50, events / 25)
  }

  /// The next action as one line of JSON.
  mutating func nextLine() -> String {
    next += 1
    time += Int(random.next() % 40)  // ~20 s apart on average
    let roll = random.next() % 1000
    if questions.count < 20 || roll < 80 { return askQuestion() }
    if answers.count < 20 || roll < 200 { return postAnswer() }
    if roll < 400 { return vote(on: pick(questions), type: "question_upvoted") }
    if roll < 700 { return vote(on: pick(answers), type: "answer_upvoted") }
    if roll < 740 { return vote(on: pick(questions), type: "question_downvoted") }
    if roll < 790 { return vote(on: pick(answers), type: "answer_downvoted") }
    if roll < 830 { return accept() }
    if roll < 840 { return bounty() }
    return line("comment_posted", user: user(), ["post": .string(pick(questions).id)])
  }

  /// Users with low numbers act far more often (activity is heavy-tailed).
  private mutating func user() -> String {
    let u = Double(random.next() % 1_000_000) / 1_000_000
    return "u\(Int(pow(u, 2.5) * Double(users)))"
  }

  /// Recent posts and a heavy tail of popular ones.
  private mutating func pick(_ posts: [Post]) -> Post {
    let u = Double(random.next() % 1_000_000) / 1_000_000
    if random.next() % 2 == 0 { return posts[max(0, posts.count - 1 - Int(u * 200))] }
    return posts[Int(pow(u, 4) * Double(posts.count))]
  }

  private mutating func askQuestion() -> String {
    let owner = user()
    let post = Post(id: "q\(questions.count + 1)", owner: owner, wiki: random.next() % 50 == 0)
    questions.append(post)
    answerCount.append(0)
    return line("question_asked", user: owner, ["post": .string(post.id)])
  }

  private mutating func postAnswer() -> String {
    let q = questions.count - 1 - Int(random.next() % UInt64(min(questions.count, 300)))
    let asker = questions[q].owner
    // One answer in twelve is the asker's own.
    let owner = random.next() % 12 == 0 ? asker ?? user() : user()
    let post = Post(id: "a\(answers.count + 1)", owner: owner, wiki: questions[q].wiki, question: q)
    answers.append(post)
    answerCount[q] += 1
    var fields: [String: Field] = ["post": .string(post.id), "first": .bool(answerCount[q] == 1)]
    if let asker { fields["asker"] = .string(asker) }
    return line("answer_posted", user: owner, fields)
  }

  private mutating func vote(on post: Post, type: String) -> String {
    var voter = user()
    if voter == post.owner { voter = "u\(users + 1)" }  // nobody votes on their own post
    return line(type, user: voter, postFields(post))
  }

  private mutating func accept() -> String {
    let answer = pick(answers)
    guard let q = answer.question, let asker = questions[q].owner, !accepted.contains(q) else {
      return line("comment_posted", user: user(), ["post": .string(answer.id)])
    }
    accepted.insert(q)
    return line("answer_accepted", user: asker, postFields(answer))
  }

  private mutating func bounty() -> String {
    let amount = [50, 100, 200, 500][Int(random.next() % 4)]
    let question = pick(questions)
    if random.next() % 2 == 0 {
      return line("bounty_offered", user: user(), ["post": .string(question.id), "amount": .int(amount)])
    }
    var fields = postFields(pick(answers))
    fields["amount"] = .int(amount)
    return line("bounty_awarded", user: user(), fields)
  }

  /// A post's fields; one vote in a hundred finds its owner deleted.
  private mutating func postFields(_ post: Post) -> [String: Field] {
    var fields: [String: Field] = ["post": .string(post.id)]
    if let owner = post.owner, random.next() % 100 != 0 { fields["owner"] = .string(owner) }
    if post.wiki { fields["wiki"] = .bool(true) }
    return fields
  }

  enum Field {
    case string(String)
    case int(Int)
    case bool(Bool)
  }

  private func line(_ type: String, user: String, _ fields: [String: Field]) -> String {
    let at = Date(timeIntervalSince1970: TimeInterval(time)).formatted(.iso8601)
    var json = #"{"id":"s\#(next)","type":"\#(type)","at":"\#(at)","user":"\#(user)""#
    for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
      switch value {
      case .string(let s): json += #","\#(name)":"\#(s)""#
      case .int(let n): json += #","\#(name)":\#(n)"#
      case .bool(let b): json += #","\#(name)":\#(b)"#
      }
    }
    return json + "}"
  }
}
