import Foundation
import Laurel
import LaurelPlayground
import LaurelReplay
import LaurelReports
import LaurelRules
import NIOCore
import Testing

/// The playground's JSON API against a real server on a free loopback port,
/// over a copy of the shipped rules.
@Suite struct PlaygroundAPITests {
  static func start(_ rules: URL) async throws -> RunningPlayground {
    try await RunningPlayground { configuration in
      configuration.rules = rules.path
      configuration.events = [rules.appendingPathComponent("examples/community-history.jsonl").path]
      configuration.maxUploadBytes = 1 << 20
    }
  }

  static func communityRules(_ text: String) -> [String: Any] {
    ["file": "community-points.yaml", "text": text]
  }

  @Test func validationMarksAMisspeltKeyAtItsLineAndColumn() async throws {
    let rules = try copyOfRules()
    let playground = try await Self.start(rules)
    defer { Task { try? await playground.stop() } }
    let text = try String(contentsOf: rules.appendingPathComponent("community-points.yaml"), encoding: .utf8)
    let broken = text.replacingOccurrences(of: "    floor: 0 ", with: "    flor: 0  ")
    #expect(broken != text)
    let reply = try await playground.call("/api/validate", ["rules": Self.communityRules(broken)])
    #expect(reply.status == 200, "\(reply)")
    #expect(reply.object["valid"] as? Bool == false)
    let problems = reply.object["problems"] as? [[String: Any]] ?? []
    let line = broken.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("flor:") }! + 1
    #expect(problems.count == 1, "\(problems)")
    #expect(problems.first?["line"] as? Int == line)
    #expect(problems.first?["column"] as? Int == 5)
    #expect(problems.first?["code"] as? String == "unknown-key")
    #expect((problems.first?["message"] as? String)?.contains("did you mean 'floor'?") == true)
    #expect(problems.first?["file"] as? String == "community-points.yaml")

    let valid = try await playground.call("/api/validate", ["rules": Self.communityRules(text)])
    #expect(valid.object["valid"] as? Bool == true)
    #expect(valid.object["scheme"] as? String == "community-points")
    let fields = valid.object["fields"] as? [[String: Any]] ?? []
    let liked = fields.first { $0["id"] as? String == "actions.post_liked[0].award.points" }
    #expect(liked?["value"] as? String == "1")
    #expect(fields.contains { $0["id"] as? String == "ladders.level.tiers[3].at" && $0["value"] as? String == "65" })
    #expect(fields.contains { $0["id"] as? String == "currencies.points.floor" })
  }

  @Test func settingAPointValueRewritesOnlyThatScalarAndKeepsComments() async throws {
    let rules = try copyOfRules()
    let playground = try await Self.start(rules)
    defer { Task { try? await playground.stop() } }
    let text = try String(contentsOf: rules.appendingPathComponent("community-points.yaml"), encoding: .utf8)
    let reply = try await playground.call(
      "/api/set-value", ["rules": Self.communityRules(text), "id": "actions.post_liked[0].award.points", "value": "2"])
    #expect(reply.status == 200, "\(reply)")
    let edited = reply.object["text"] as? String ?? ""
    let before = text.split(separator: "\n", omittingEmptySubsequences: false)
    let after = edited.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(before.count == after.count)
    let changed = zip(before, after).enumerated().filter { $0.element.0 != $0.element.1 }
    #expect(changed.count == 1)
    #expect(changed.first?.element.0 == "    - award: { points: 1 }")
    #expect(changed.first?.element.1 == "    - award: { points: 2 }")
    #expect(edited.contains("to: event.author            # likes pay the content's author, not the liker"))
    let edit = reply.object["edit"] as? [String: Any] ?? [:]
    #expect(edit["replacement"] as? String == "2")
    #expect(edit["length"] as? Int == 1)
    // The new text compiles to the edited value.
    let compiled = try RuleLoader().load(text: edited, file: "community-points.yaml")
    #expect(compiled.scheme == "community-points")

    // A tier name that needs quoting is quoted, and reads back as typed.
    let renamed = try await playground.call(
      "/api/set-value",
      ["rules": Self.communityRules(text), "id": "ladders.level.tiers[1].name", "value": "Learner: Level 2"])
    #expect(renamed.status == 200, "\(renamed)")
    let renamedText = renamed.object["text"] as? String ?? ""
    #expect(renamedText.contains(#"- { name: "Learner: Level 2",     at: 5 }"#))
    let fields = renamed.object["fields"] as? [[String: Any]] ?? []
    #expect(
      fields.contains {
        $0["id"] as? String == "ladders.level.tiers[1].name" && $0["value"] as? String == "Learner: Level 2"
      })

    // Seed 000's file: a bonus, and a badge threshold inside a condition.
    let xp = try String(contentsOf: rules.appendingPathComponent("xp-grades-badges.yaml"), encoding: .utf8)
    let xpRules: [String: Any] = ["file": "xp-grades-badges.yaml", "text": xp]
    let xpFields =
      try await playground.call("/api/validate", ["rules": xpRules]).object["fields"] as? [[String: Any]] ?? []
    #expect(
      xpFields.contains { $0["id"] as? String == "bonuses.daily_bonus.award.xp" && $0["value"] as? String == "5" })
    #expect(!xpFields.contains { ($0["id"] as? String)?.hasPrefix("actions.live_watched") == true })  // an expression
    let threshold = try await playground.call(
      "/api/set-value", ["rules": xpRules, "id": "badges.module_expert_contributor.when#number", "value": "300"])
    #expect(threshold.status == 200, "\(threshold)")
    let xpEdited = threshold.object["text"] as? String ?? ""
    #expect(xpEdited.contains("    when: member.counters.module_messages[key] >= 300\n"))
    #expect(xpEdited.replacingOccurrences(of: ">= 300", with: ">= 250") == xp)

    let notANumber = try await playground.call(
      "/api/set-value",
      ["rules": Self.communityRules(text), "id": "actions.post_liked[0].award.points", "value": "two"])
    #expect(notANumber.status == 422)
    #expect(notANumber.code == "INVALID_VALUE")
    let overflow = try await playground.call(
      "/api/set-value",
      ["rules": Self.communityRules(text), "id": "actions.post_liked[0].award.points", "value": "99999999999999999999"])
    #expect(overflow.status == 422)
    let unknown = try await playground.call(
      "/api/set-value", ["rules": Self.communityRules(text), "id": "actions.nothing[0].award.points", "value": "2"])
    #expect(unknown.status == 422)
  }

  @Test func simulateAndDiffAgreeWithTheLibrary() async throws {
    let rules = try copyOfRules()
    let playground = try await Self.start(rules)
    defer { Task { try? await playground.stop() } }
    let file = rules.appendingPathComponent("community-points.yaml")
    let text = try String(contentsOf: file, encoding: .utf8)
    let edited = text.replacingOccurrences(
      of: "  post_liked:\n    - award: { points: 1 }", with: "  post_liked:\n    - award: { points: 2 }")
    #expect(edited != text)

    let simulate = try await playground.call(
      "/api/simulate",
      ["rules": Self.communityRules(text), "query": ["sort": "points", "descending": true, "size": 5]])
    #expect(simulate.status == 200, "\(simulate)")
    let counts = simulate.object["counts"] as? [String: Any] ?? [:]
    #expect(counts["read"] as? Int == 2000)
    let rows = simulate.object["members"] as? [[String: Any]] ?? []
    #expect(rows.count == 5)
    let points = rows.map { (($0["balances"] as? [String: Any])?["points"] as? Int) ?? -1 }
    #expect(points == points.sorted(by: >))
    var expected = Simulation(rules: try RuleLoader().load(paths: [file.path]))
    try expected.run(path: rules.appendingPathComponent("examples/community-history.jsonl").path)
    #expect(simulate.object["total"] as? Int == expected.memberCount)
    #expect(points.first.map(Int64.init) == expected.report().members.map { $0.balances.first?.amount ?? 0 }.max())
    let farPage = try await playground.call(
      "/api/simulate", ["rules": Self.communityRules(text), "query": ["page": Int.max, "size": Int.max]])
    #expect(farPage.status == 200, "\(farPage)")
    #expect((farPage.object["members"] as? [Any])?.isEmpty == true)
    let searched = try await playground.call(
      "/api/simulate", ["rules": Self.communityRules(text), "query": ["search": "u107"]])
    let found = searched.object["members"] as? [[String: Any]] ?? []
    #expect(!found.isEmpty && found.allSatisfy { ($0["user"] as? String)?.contains("u107") == true })

    let diff = try await playground.call("/api/diff", ["rules": Self.communityRules(edited), "against": "disk"])
    #expect(diff.status == 200, "\(diff)")
    let report = try RuleChangeAnalysis(
      from: RuleLoader().load(text: text, file: "a.yaml"), to: RuleLoader().load(text: edited, file: "b.yaml")
    ).run(path: rules.appendingPathComponent("examples/community-history.jsonl").path)
    let summary = diff.object["summary"] as? [String: Any] ?? [:]
    #expect(report.summary.changed > 0)
    #expect(summary["members_changed"] as? Int == report.summary.changed)
    #expect(summary["tier_changed"] as? Int == report.summary.tier)
    let first = (diff.object["members"] as? [[String: Any]])?.first ?? [:]
    let why = first["by_rule"] as? [[String: Any]] ?? []
    #expect(why.first?["rule"] as? String == "post_liked")
    #expect((first["delta"] as? Int ?? 0) > 0)

    // The member inspector: the ledger under both rule sets, adding up to the balances.
    let user = first["user"] as? String ?? ""
    let inspect = try await playground.call(
      "/api/inspect",
      ["rules": Self.communityRules(edited), "against": "disk", "scope": first["scope"] ?? NSNull(), "user": user])
    #expect(inspect.status == 200, "\(inspect)")
    for side in ["before", "after"] {
      let timeline = inspect.object[side] as? [String: Any] ?? [:]
      let entries = timeline["entries"] as? [[String: Any]] ?? []
      let balance = ((timeline["member"] as? [String: Any])?["balances"] as? [String: Any])?["points"] as? Int
      #expect(!entries.isEmpty)
      #expect(entries.last?["balance"] as? Int == balance)
      let liked = entries.filter { $0["rule"] as? String == "post_liked" }.compactMap { $0["amount"] as? Int }
      #expect(!liked.isEmpty && liked.allSatisfy { $0 == (side == "before" ? 1 : 2) })
    }
  }

  @Test func savingWritesOnlyValidRulesInsideTheFolderWithTheToken() async throws {
    let rules = try copyOfRules()
    let playground = try await Self.start(rules)
    defer { Task { try? await playground.stop() } }
    let file = rules.appendingPathComponent("community-points.yaml")
    let text = try String(contentsOf: file, encoding: .utf8)
    let edited = text.replacingOccurrences(of: "award: { points: 5 }", with: "award: { points: 6 }")

    let noToken = try await playground.call("/api/save", ["rules": Self.communityRules(edited)], token: "wrong")
    #expect(noToken.status == 401)
    #expect(noToken.code == "TOKEN")
    for name in ["../community-points.yaml", "/etc/passwd", "examples/x.yaml", ".hidden.yaml", "notes.txt"] {
      let outside = try await playground.call("/api/save", ["rules": ["file": name, "text": edited]])
      #expect(outside.status == 403, "\(name): \(outside)")
    }
    let invalid = try await playground.call(
      "/api/save", ["rules": Self.communityRules(edited.replacingOccurrences(of: "floor: 0", with: "flor: 0"))])
    #expect(invalid.status == 422)
    #expect(invalid.code == "INVALID_RULES")
    #expect(try String(contentsOf: file, encoding: .utf8) == text)

    let saved = try await playground.call("/api/save", ["rules": Self.communityRules(edited)])
    #expect(saved.status == 200, "\(saved)")
    #expect(try String(contentsOf: file, encoding: .utf8) == edited)
    // "disk" is now the saved file: no difference left.
    let diff = try await playground.call("/api/diff", ["rules": Self.communityRules(edited), "against": "disk"])
    #expect((diff.object["summary"] as? [String: Any])?["members_changed"] as? Int == 0)
  }

  @Test func requestsFromElsewhereAreRefused() async throws {
    let rules = try copyOfRules()
    let playground = try await Self.start(rules)
    defer { Task { try? await playground.stop() } }
    let port = playground.url.port!
    let rebinding = try await playground.call("/api/state", headers: [("Host", "evil.example:\(port)")])
    #expect(rebinding.status == 403)
    let page = try await playground.call("/", headers: [("Host", "attacker.test:\(port)")])
    #expect(page.status == 403)
    let wrongPort = try await playground.call("/api/state", headers: [("Host", "127.0.0.1:1")])
    #expect(wrongPort.status == 403)
    let crossSite = try await playground.call(
      "/api/validate", ["rules": Self.communityRules("scheme: x")], headers: [("Origin", "http://evil.example")])
    #expect(crossSite.status == 403)
    let sameSite = try await playground.call(
      "/api/state", headers: [("Origin", "http://localhost:\(port)"), ("Host", "localhost:\(port)")])
    #expect(sameSite.status == 200)
    let noToken = try await playground.call("/api/state", token: "")
    #expect(noToken.status == 401)
    let index = try await playground.call("/", token: "")
    #expect(index.status == 200)
    #expect(index.text.contains("Laurel playground"))
    let script = try await playground.call("/assets/playground.js", token: "")
    #expect(script.status == 200)
    let traversal = try await playground.call("/assets/../Package.swift", token: "")
    #expect(traversal.status == 404 || traversal.status == 403)
  }

  @Test func hostileRulesAndUploadsAreRefusedWithReasons() async throws {
    let rules = try copyOfRules()
    let playground = try await Self.start(rules)
    defer { Task { try? await playground.stop() } }
    // An alias bomb: refused by the loader's expansion limit, quickly.
    var bomb = "scheme: bomb\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in 1..<9 {
      bomb +=
        "\(Character(UnicodeScalar(97 + level)!)): &\(Character(UnicodeScalar(97 + level)!)) ["
        + Array(repeating: "*\(Character(UnicodeScalar(96 + level)!))", count: 10).joined(separator: ", ") + "]\n"
    }
    let start = ContinuousClock.now
    let reply = try await playground.call("/api/validate", ["rules": ["file": "bomb.yaml", "text": bomb]])
    // Not a speed test (the suite runs beside every other on two cores):
    // expanding the bomb would take hours; refusing it takes milliseconds.
    #expect(ContinuousClock.now - start < .seconds(60))
    #expect(reply.status == 200, "\(reply)")
    #expect((reply.object["problems"] as? [[String: Any]])?.first?["code"] as? String == "too-complex")
    #expect((reply.object["fields"] as? [Any])?.isEmpty == true)
    let bombEdit = try await playground.call(
      "/api/set-value", ["rules": ["file": "bomb.yaml", "text": bomb], "id": "caps.x.max", "value": "1"])
    #expect(bombEdit.status == 400, "\(bombEdit)")
    // 10 MB of YAML: refused before it is parsed.
    let huge = String(repeating: "# padding\n", count: 1_000_000)
    let big = try await playground.call("/api/validate", ["rules": ["file": "big.yaml", "text": huge]])
    #expect(big.status == 413, "\(big)")
    #expect(big.code == "TOO_LARGE")
    // Invalid JSON bodies get a sentence.
    let garbage = try await playground.call("/api/validate", raw: ByteBuffer(string: "{not json"))
    #expect(garbage.status == 400)

    // An upload over the limit (1 MiB here) is refused; a malformed line is reported with its number.
    let tooBig = try await playground.call(
      "/api/history/upload?name=big.jsonl", raw: ByteBuffer(repeating: UInt8(ascii: "x"), count: 2 << 20))
    #expect(tooBig.status == 413)
    let history = """
      {"id":"a1","type":"post_created","at":"2026-01-01T00:00:00Z","user":"ann","community":"c1","author":"ann","post":"p1"}
      {"id":"a2","type":"post_liked","at":"not a time","user":"bob","community":"c1","author":"ann","post":"p1"}
      {"id":"a3","type":"post_liked","at":"2026-01-01T00:01:00Z","user":"bob","community":"c1","author":"ann","post":"p1"}

      """
    let upload = try await playground.call(
      "/api/history/upload?name=../../mine.jsonl", raw: ByteBuffer(string: history))
    #expect(upload.status == 200, "\(upload)")
    #expect(upload.object["lines"] as? Int == 3)
    #expect(upload.object["name"] as? String == "mine.jsonl")
    let text = try String(contentsOf: rules.appendingPathComponent("community-points.yaml"), encoding: .utf8)
    let simulate = try await playground.call("/api/simulate", ["rules": Self.communityRules(text)])
    #expect((simulate.object["counts"] as? [String: Any])?["applied"] as? Int == 2)
    let rejections = simulate.object["rejections"] as? [[String: Any]] ?? []
    #expect(rejections.count == 1)
    #expect(rejections.first?["line"] as? Int == 2)
    #expect((rejections.first?["reason"] as? String)?.contains("at") == true)
  }
}

/// Histories from a SQLite store's action log.
@Suite struct PlaygroundStoreHistoryTests {
  @Test func aStoresActionLogIsReplayedLikeTheFileItCameFrom() async throws {
    let rules = try copyOfRules()
    let events = rules.appendingPathComponent("examples/community-history.jsonl").path
    let store = rules.deletingLastPathComponent().appendingPathComponent("store.sqlite").path
    let ingest = try await BrowserTests.run(
      try BuiltLaurel.path,
      [
        "ingest", "--rules", rules.appendingPathComponent("community-points.yaml").path, "--store", store, "--events",
        events,
      ])
    #expect(ingest.status == 0, "\(ingest.output)")
    let playground = try await RunningPlayground { configuration in
      configuration.rules = rules.path
      configuration.events = [events]
      configuration.stores = [store]
    }
    defer { Task { try? await playground.stop() } }
    let state = try await playground.call("/api/state")
    let histories = state.object["histories"] as? [[String: Any]] ?? []
    let fromStore = try #require(histories.first { $0["kind"] as? String == "store" })
    #expect(fromStore["name"] as? String == "store.sqlite")
    let selected = try await playground.call("/api/history/select", ["id": fromStore["id"] as? String ?? ""])
    #expect(selected.status == 200, "\(selected)")
    #expect((selected.object["lines"] as? Int ?? 0) > 1900)
    let text = try String(contentsOf: rules.appendingPathComponent("community-points.yaml"), encoding: .utf8)
    let rulesBody: [String: Any] = ["file": "community-points.yaml", "text": text]
    let fromLog = try await playground.call("/api/simulate", ["rules": rulesBody, "query": ["size": 500]])
    _ = try await playground.call("/api/history/select", ["id": "sample-1"])
    let fromFile = try await playground.call("/api/simulate", ["rules": rulesBody, "query": ["size": 500]])
    #expect(fromLog.status == 200 && fromFile.status == 200)
    let applied = { (reply: Reply) in (reply.object["counts"] as? [String: Any])?["applied"] as? Int }
    #expect(applied(fromLog) != nil && applied(fromLog) == applied(fromFile))
    #expect(fromLog.object["total"] as? Int == fromFile.object["total"] as? Int)
    let a = (fromLog.object["members"] as? [[String: Any]] ?? []).map { "\($0["user"] ?? "") \($0["balances"] ?? "")" }
    let b = (fromFile.object["members"] as? [[String: Any]] ?? []).map { "\($0["user"] ?? "") \($0["balances"] ?? "")" }
    #expect(!a.isEmpty && a == b)
    let missing = try await playground.call("/api/history/select", ["id": "store-9"])
    #expect(missing.status == 404)
  }
}

/// Comparing with the committed version of the rules.
@Suite struct PlaygroundGitTests {
  @Test func theDiffAgainstGitHeadShowsWhatTheSavedFileChanged() async throws {
    let rules = try copyOfRules()
    let folder = rules.path
    for arguments in [
      ["init", "-q"], ["add", "."],
      ["-c", "user.name=Laurel", "-c", "user.email=laurel@example.com", "commit", "-q", "-m", "rules"],
    ] {
      let git = try await BrowserTests.run("/usr/bin/env", ["git", "-C", folder] + arguments)
      #expect(git.status == 0, "git \(arguments): \(git.output)")
    }
    let file = rules.appendingPathComponent("community-points.yaml")
    let text = try String(contentsOf: file, encoding: .utf8)
    let edited = text.replacingOccurrences(of: "award: { points: 5 }", with: "award: { points: 50 }")
    try edited.write(to: file, atomically: true, encoding: .utf8)
    let playground = try await PlaygroundAPITests.start(rules)
    defer { Task { try? await playground.stop() } }
    let state = try await playground.call("/api/state")
    #expect(state.object["git"] as? Bool == true)
    let body: [String: Any] = ["file": "community-points.yaml", "text": edited]
    let againstDisk = try await playground.call("/api/diff", ["rules": body, "against": "disk"])
    #expect((againstDisk.object["summary"] as? [String: Any])?["members_changed"] as? Int == 0)
    let againstHead = try await playground.call("/api/diff", ["rules": body, "against": "git:HEAD"])
    #expect(againstHead.status == 200, "\(againstHead)")
    #expect(((againstHead.object["summary"] as? [String: Any])?["members_changed"] as? Int ?? 0) > 0)
    let why = ((againstHead.object["members"] as? [[String: Any]])?.first?["by_rule"] as? [[String: Any]]) ?? []
    #expect(why.first?["rule"] as? String == "lesson_completed")
    for bad in ["git:--output=/tmp/x", "git:HEAD:../../etc", "git:", "svn:HEAD"] {
      let refused = try await playground.call("/api/diff", ["rules": body, "against": bad])
      #expect(refused.status == 400, "\(bad): \(refused)")
    }
  }
}
