import Foundation

/// A deterministic history for `rules/community-points.yaml`, for tests that
/// need thousands of actions without the benchmark workload: posts and comments,
/// likes and unlikes of earlier content that carry its real author, and
/// lessons (about one in ten completed a second time); an unlike is now and
/// then sent again under a new id, which can reach the floor of 0. A few active members
/// get most of the actions, so writers that share the history contend for
/// the same members.
struct CommunityHistory {
  /// `count` action lines with ids `e1`, `e2`… and timestamps one to three
  /// seconds apart from 2026-01-01T00:00:00Z.
  static func lines(count: Int, communities: Int = 2, users: Int = 120, seed: UInt64 = 1) -> [String] {
    var random = SplitMix64(seed: seed)
    var content: [[(id: String, author: String, isPost: Bool)]] = Array(repeating: [], count: communities)
    var liked: [(community: Int, liker: String, id: String, author: String, isPost: Bool)] = []
    var unliked: [(community: Int, liker: String, id: String, author: String, isPost: Bool)] = []
    var lessons: [(community: Int, user: String, lesson: String)] = []
    var seconds = 1_767_225_600
    var out: [String] = []
    out.reserveCapacity(count)
    for n in 1...max(1, count) where out.count < count {
      seconds += 1 + random.below(3)
      let at = Self.timestamp(seconds)
      let c = random.below(communities)
      let community = "c\(c + 1)"
      let user = "u\(random.skewed(below: users) + 1)"
      let head = #"{"id":"e\#(n)","at":"\#(at)","community":"\#(community)","user":"\#(user)""#
      switch random.below(100) {
      case 0..<15:
        let id = "p\(n)"
        content[c].append((id, user, true))
        out.append(head + #","type":"post_created","author":"\#(user)","post":"\#(id)"}"#)
      case 15..<30:
        let id = "m\(n)"
        content[c].append((id, user, false))
        out.append(head + #","type":"comment_added","author":"\#(user)","comment":"\#(id)"}"#)
      case 30..<70 where !content[c].isEmpty:
        let target = content[c][random.below(content[c].count)]
        liked.append((c, user, target.id, target.author, target.isPost))
        let (type, field) = target.isPost ? ("post_liked", "post") : ("comment_liked", "comment")
        out.append(head + #","type":"\#(type)","author":"\#(target.author)","\#(field)":"\#(target.id)"}"#)
      case 70..<80 where !liked.isEmpty || !unliked.isEmpty:
        // One in five sends an earlier unlike again (at-least-once delivery).
        let again = !unliked.isEmpty && (liked.isEmpty || random.below(5) == 0)
        let like = again ? unliked[random.below(unliked.count)] : liked.remove(at: random.below(liked.count))
        if !again { unliked.append(like) }
        let (type, field) = like.isPost ? ("post_unliked", "post") : ("comment_unliked", "comment")
        out.append(
          #"{"id":"e\#(n)","at":"\#(at)","community":"c\#(like.community + 1)","user":"\#(like.liker)","type":"\#(type)","author":"\#(like.author)","\#(field)":"\#(like.id)"}"#
        )
      case 80..<88 where !lessons.isEmpty:
        let again = lessons[random.below(lessons.count)]
        out.append(
          #"{"id":"e\#(n)","at":"\#(at)","community":"c\#(again.community + 1)","user":"\#(again.user)","type":"lesson_completed","lesson":"\#(again.lesson)"}"#
        )
      default:
        let lesson = "\(community)-l\(random.below(40))"
        lessons.append((c, user, lesson))
        out.append(head + #","type":"lesson_completed","lesson":"\#(lesson)"}"#)
      }
    }
    return out
  }

  /// RFC 3339 UTC, seconds precision (civil date from days since 1970, after H. Hinnant).
  static func timestamp(_ seconds: Int) -> String {
    let days = seconds / 86_400
    let time = seconds % 86_400
    let z = days + 719_468
    let era = z / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(year)-\(two(month))-\(two(day))T\(two(time / 3600)):\(two(time / 60 % 60)):\(two(time % 60))Z"
  }

  /// Writes `lines` to `url`, one per line.
  static func write(_ lines: some Sequence<String>, to url: URL) throws {
    try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
  }
}

extension SplitMix64 {
  /// A number in `0..<bound` skewed towards 0 (the square of a uniform
  /// draw): a few members make most of the actions.
  mutating func skewed(below bound: Int) -> Int {
    let u = Double(next() >> 11) / Double(1 << 53)
    return min(bound - 1, Int(u * u * Double(bound)))
  }
}
