import Foundation
import Laurel
import LaurelSQLite

/// The SQLite store: batched ingest against baseline.c --sqlite in the same run,
/// and per-action durable commits with latency percentiles.
enum StoreBench {
  static func run(_ workload: Workload, events: Int) async throws {
    print("\n== SQLite store (\(events) community events)")
    let decoder = ActionDecoder(rules: workload.rules)
    var actions: [PreparedAction] = []
    let text = try Data(contentsOf: workload.eventsFile)
    text.withUnsafeBytes { raw in
      let bytes = raw.bindMemory(to: UInt8.self)
      var start = 0
      for i in bytes.indices where bytes[i] == 0x0A && actions.count < events {
        var action = PreparedAction()
        if (try? decoder.decode(UnsafeBufferPointer(rebasing: bytes[start..<i]), into: &action)) != nil { actions.append(action) }
        start = i + 1
      }
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-bench-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }

    let batchedPath = folder.appendingPathComponent("batched.sqlite").path
    let engine = Engine(rules: workload.rules, store: try SQLiteStore(path: batchedPath))
    let batchStart = DispatchTime.now().uptimeNanoseconds
    var i = 0
    while i < actions.count {
      _ = try await engine.applyBatch(Array(actions[i..<min(i + 2000, actions.count)]))
      i += 2000
    }
    let batched = Double(DispatchTime.now().uptimeNanoseconds - batchStart) / 1e9
    let size = (try FileManager.default.attributesOfItem(atPath: batchedPath)[.size] as? Int) ?? 0
    print("batched (2000 per transaction): \(Measure.format(batched, 2)) s, \(Measure.format(Double(actions.count) / batched / 1e3, 1)) k actions/s, \(size * 1_000_000 / max(actions.count, 1) / 1_048_576) MiB per million actions")
    if let baseline = try workload.baseline() {
      let subset = folder.appendingPathComponent("subset.jsonl")
      let lines = String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).prefix(actions.count)
      try (lines.joined(separator: "\n") + "\n").write(to: subset, atomically: true, encoding: .utf8)
      let c = try Measure.run([baseline.path, subset.path, "--sqlite", folder.appendingPathComponent("baseline.sqlite").path]).seconds
      print("baseline.c --sqlite: \(Measure.format(c, 2)) s, \(Measure.format(Double(actions.count) / c / 1e3, 1)) k actions/s; ratio \(Measure.format(c / batched, 3)) (bar: >= 0.5)")
    }

    let durable = Engine(rules: workload.rules, store: try SQLiteStore(path: folder.appendingPathComponent("durable.sqlite").path))
    let sample = Array(actions.prefix(min(actions.count, 20000)))
    var latencies: [Double] = []
    latencies.reserveCapacity(sample.count)
    let durableStart = DispatchTime.now().uptimeNanoseconds
    for action in sample {
      let t = DispatchTime.now().uptimeNanoseconds
      _ = try await durable.apply(action)
      latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e3)
    }
    let total = Double(DispatchTime.now().uptimeNanoseconds - durableStart) / 1e9
    latencies.sort()
    let p50 = latencies[latencies.count / 2]
    let p99 = latencies[latencies.count * 99 / 100]
    print("durable (one transaction per action, \(sample.count) actions): \(Measure.format(Double(sample.count) / total / 1e3, 1)) k actions/s, p50 \(Measure.format(p50, 0)) µs, p99 \(Measure.format(p99, 0)) µs (bar: >= 10 k/s)")
  }
}
