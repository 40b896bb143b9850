import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelRules

/// The reference workload: seed 004's scheme on a stream from shared/bench/gen_events.py.
struct Workload {
  let repository: URL
  let shared: URL
  let eventsFile: URL
  let events: Int
  let rules: CompiledRules
  let rulesPath: String

  static func prepare(events: Int, users: Int = 20000, seed: Int = 42) throws -> Workload {
    let repository = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    let shared = repository.deletingLastPathComponent().appendingPathComponent("shared")
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "laurel-bench-\(events)-\(users)-\(seed).jsonl")
    if !FileManager.default.fileExists(atPath: file.path) {
      print("generating \(events) events with shared/bench/gen_events.py ...")
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      p.arguments = [
        "python3", shared.appendingPathComponent("bench/gen_events.py").path, "--events", "\(events)",
        "--users", "\(users)", "--seed", "\(seed)",
      ]
      // Written beside, then renamed: an interrupted run must not leave a
      // short file that later runs would take for the workload.
      let partial = file.appendingPathExtension("partial")
      _ = FileManager.default.createFile(atPath: partial.path, contents: nil)
      p.standardOutput = try FileHandle(forWritingTo: partial)
      try p.run()
      p.waitUntilExit()
      guard p.terminationStatus == 0 else {
        try? FileManager.default.removeItem(at: partial)
        throw CocoaError(
          .fileWriteUnknown,
          userInfo: [NSLocalizedDescriptionKey: "gen_events.py failed (status \(p.terminationStatus))"])
      }
      try FileManager.default.moveItem(at: partial, to: file)
    }
    let rulesPath = repository.appendingPathComponent("rules/community-points.yaml").path
    return Workload(
      repository: repository, shared: shared, eventsFile: file, events: events,
      rules: try RuleLoader().load(paths: [rulesPath]), rulesPath: rulesPath)
  }

  /// The actions of a JSONL text, decoded up front (lines that do not decode are left out).
  static func decode(_ text: Data, rules: CompiledRules) -> [PreparedAction] {
    let decoder = ActionDecoder(rules: rules)
    var prepared: [PreparedAction] = []
    text.withUnsafeBytes { raw in
      let bytes = raw.bindMemory(to: UInt8.self)
      var start = 0
      for i in bytes.indices where bytes[i] == 0x0A {
        var action = PreparedAction()
        if (try? decoder.decode(UnsafeBufferPointer(rebasing: bytes[start..<i]), into: &action)) != nil {
          prepared.append(action)
        }
        start = i + 1
      }
    }
    return prepared
  }

  /// Compiles shared/bench/baseline.c (the hand-written C speed limit) once.
  func baseline() throws -> URL? {
    let source = shared.appendingPathComponent("bench/baseline.c")
    guard FileManager.default.fileExists(atPath: source.path) else { return nil }
    let binary = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-baseline")
    if !FileManager.default.fileExists(atPath: binary.path) {
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      p.arguments = ["gcc", "-O2", "-o", binary.path, source.path, "-lsqlite3"]
      try p.run()
      p.waitUntilExit()
      guard p.terminationStatus == 0 else { return nil }
    }
    return binary
  }
}
