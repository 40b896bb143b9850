import Foundation
import Laurel
import LaurelReplay
import LaurelReports

/// Seed 004's scheme ("community points & levels") written out by hand, as an
/// oracle independent of the engine (after the reference oracle in the
/// benchmark workload): post_created +2, comment_added +1, post_liked and
/// comment_liked +1 to the author; unlikes -1 from the author, floored at 0;
/// lesson_completed +5 to the actor once per (user, lesson); levels 1 to 9
/// by threshold, never going down.
struct CommunityOracle {
  var points: [String: Int64] = [
    "post_created": 2, "comment_added": 1, "post_liked": 1, "comment_liked": 1, "post_unliked": -1,
    "comment_unliked": -1, "lesson_completed": 5,
  ]
  var thresholds: [Int64] = [0, 5, 20, 65, 155, 515, 2015, 8015, 33015]

  /// Every member's points and level after the history.
  func run(_ lines: [String]) throws -> [MemberID: (points: Int64, level: Int)] {
    var members: [MemberID: (points: Int64, level: Int)] = [:]
    var lessons: Set<[String]> = []
    var seen: Set<String> = []
    for line in lines {
      guard let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let id = event["id"] as? String, seen.insert(id).inserted,
        let type = event["type"] as? String, let delta = points[type]
      else { continue }
      let community = event["community"] as? String
      let target: String
      if type == "lesson_completed" {
        target = event["user"] as! String
        guard lessons.insert([community ?? "", target, event["lesson"] as! String]).inserted else { continue }
      } else {
        target = event["author"] as! String
      }
      let member = MemberID(scope: community, user: target)
      var (balance, level) = members[member] ?? (0, 1)
      balance = delta < 0 ? max(0, balance + delta) : balance + delta
      level = max(level, thresholds.lastIndex { $0 <= balance }.map { $0 + 1 } ?? 1)
      members[member] = (balance, level)
    }
    return members
  }
}
