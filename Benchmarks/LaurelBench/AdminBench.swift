import Foundation
import GRDB
import Laurel
import LaurelExpression
import LaurelSQLite

/// Runtime administration on SQLite, in a scope of `members` members: re-ranking
/// the whole scope after a threshold change, and leaderboard pages. Each
/// against a floor measured in the same run on the same file.
enum AdminBench {
  static func run(_ workload: Workload, members: Int) async throws {
    print("\n== administration on SQLite (one scope of \(members) members)")
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "laurel-bench-admin-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("admin.sqlite").path
    let store = try SQLiteStore(path: path)
    try store.adopt(workload.rules, files: [])
    let engine = Engine(rules: workload.rules, store: store)
    // Every member posts 1–12 times (2 points a post) over 60 days, so the
    // scope spreads over the first levels and the windows hold part of it.
    let decoder = ActionDecoder(rules: workload.rules)
    var generator = SplitMix(seed: 7)
    let start = try Timestamp(rfc3339: "2026-01-01T00:00:00Z").seconds
    var actions: [PreparedAction] = []
    var total = 0
    for m in 0..<members {
      for p in 0..<(1 + Int(generator.next() % 12)) {
        let at = try Timestamp(seconds: start + Int64(generator.next() % (60 * 86_400)))
        actions.append(
          try decoder.decode(
            #"{"id":"m\#(m)-\#(p)","type":"post_created","at":"\#(at)","user":"u\#(m)","community":"big","author":"u\#(m)"}"#
          ))
        if actions.count == 50_000 {
          total += actions.count
          _ = try await engine.applyBatch(actions)
          actions.removeAll(keepingCapacity: true)
        }
      }
    }
    total += actions.count
    _ = try await engine.applyBatch(actions)
    try store.checkpoint()
    print("store: \(total) actions, \(members) members in scope 'big'")

    // The floor: reading the scope's rows (no decoding, no writing).
    let read = try Measure.seconds(rounds: 3) {
      let queue = try DatabaseQueue(path: path)
      try queue.read { db in
        let rows = try Row.fetchCursor(db, sql: "SELECT id, version, state FROM members WHERE scope_key = 's:big'")
        var bytes = 0
        while let row = try rows.next() { bytes += (row["state"] as Data).count }
        precondition(bytes > 0)
      }
    }
    let declared = workload.rules.tierNames(of: "level")!
    func tiers(_ thresholds: [Int64]) -> [TierSetting] {
      zip(declared, thresholds).map { TierSetting(name: $0.0, threshold: $0.1) }
    }
    var lowered: TierUpdate?
    let lowerStart = DispatchTime.now().uptimeNanoseconds
    lowered = try await engine.setTiers(
      tiers([0, 3, 9, 15, 21, 40, 80, 160, 320]), ladder: "level", scope: "big", by: "bench")
    let lower = Double(DispatchTime.now().uptimeNanoseconds - lowerStart) / 1e9
    let raiseStart = DispatchTime.now().uptimeNanoseconds
    let raised = try await engine.setTiers(
      tiers([0, 50, 100, 150, 200, 250, 300, 350, 400]), ladder: "level", scope: "big", by: "bench")
    let raise = Double(DispatchTime.now().uptimeNanoseconds - raiseStart) / 1e9
    print(
      "re-rank after lowering thresholds: \(Measure.format(lower, 3)) s for \(lowered!.membersRanked) members (\(lowered!.tierChanges.count) moved up), \(Measure.format(lower / read, 1))x reading the scope's rows (\(Measure.format(read * 1e3, 0)) ms)"
    )
    print(
      "re-rank after raising thresholds (ratchet, nobody moves): \(Measure.format(raise, 3)) s, \(raised.tierChanges.count) moved, \(Measure.format(raise / read, 1))x reading the rows"
    )

    // Leaderboards: a page through the index against ranking every balance of the scope.
    // The first read folds the whole ledger into the leaderboard tables.
    let foldStart = DispatchTime.now().uptimeNanoseconds
    let folded = try await store.updateStandings()
    print(
      "leaderboard tables folded from the ledger at the first read: \(folded) ledger rows in \(Measure.format(Double(DispatchTime.now().uptimeNanoseconds - foldStart) / 1e9, 2)) s"
    )
    let now = try Timestamp(rfc3339: "2026-03-01T12:00:00Z")
    var extra = 0
    for window in [LeaderboardWindow.allTime, .days(7), .days(30)] {
      // The first read of a window sums its rows; later reads use the sums this
      // process keeps, moved forward by each fold: every fifth read follows 100 new actions.
      var first = 0.0
      var samples: [Double] = []
      for round in 0..<21 {
        if round > 0, round % 5 == 0 {
          var more: [PreparedAction] = []
          for _ in 0..<100 {
            extra += 1
            let at = try Timestamp(seconds: now.seconds - Int64(generator.next() % (20 * 86_400)))
            more.append(
              try decoder.decode(
                #"{"id":"x\#(extra)","type":"post_created","at":"\#(at)","user":"u\#(extra)","community":"big","author":"u\#(extra % members)"}"#
              ))
          }
          _ = try await engine.applyBatch(more)
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let board = try await engine.leaderboard("points", window: window, scope: "big", limit: 10, now: now)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        if round == 0 { first = ms } else { samples.append(ms) }
        precondition(board.entries.count == 10)
      }
      samples.sort()
      var floor = ""
      if case .days(let n) = window {
        // The floor of any windowed board over this schema: SQLite stepping through the window's rows.
        let since = now.dayNumber() - Int64(n) + 1
        let queue = try DatabaseQueue(path: path)
        var rows = 0
        let scan = try Measure.seconds(rounds: 5) {
          rows = try queue.read { db in
            try Int.fetchOne(
              db,
              sql:
                "SELECT count(amount) FROM earnings WHERE board = (SELECT id FROM boards WHERE scope_key = 's:big' AND currency = 'points') AND day >= ?",
              arguments: [since]) ?? 0
          }
        }
        floor = "; \(rows) rows in the window, stepping through them alone \(Measure.format(scan * 1e3, 2)) ms"
      }
      print(
        "leaderboard top 10 (\(window)): first read \(Measure.format(first, 2)) ms; the next 20 (4 after 100 new actions each): median \(Measure.format(samples[samples.count / 2], 2)) ms, max \(Measure.format(samples.last!, 2)) ms\(floor)"
      )
    }
    var scan: [Double] = []
    for _ in 0..<5 {
      let t0 = DispatchTime.now().uptimeNanoseconds
      let all = try await engine.profiles(inScope: "big")
      let top = all.map { ($0.member.user, $0.balance("points") ?? 0) }.sorted { $0.1 > $1.1 }.prefix(10)
      precondition(top.count == 10)
      scan.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
    }
    scan.sort()
    print("baseline: top 10 by reading and sorting every member of the scope: median \(Measure.format(scan[2], 1)) ms")
  }
}

/// A small deterministic generator (SplitMix64).
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
