import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelSQLite

/// The SQLite store: batched ingest against baseline.c --sqlite in the same run,
/// and per-action durable commits with latency percentiles.
enum StoreBench {
  static func run(_ workload: Workload, events: Int, batchSize: Int) async throws {
    print("\n== SQLite store (\(events) community events)")
    let text = try Data(contentsOf: workload.eventsFile)
    var lines: [Range<Int>] = []
    text.withUnsafeBytes { raw in
      var start = 0
      for (i, byte) in raw.enumerated() where byte == 0x0A && lines.count < events {
        lines.append(start..<i)
        start = i + 1
      }
    }
    var decoder = ActionDecoder(rules: workload.rules)
    decoder.keepsSource = true
    /// Decodes lines as `laurel ingest` does (keeping each action's JSON for the action log).
    func decode(_ range: ArraySlice<Range<Int>>) -> [PreparedAction] {
      text.withUnsafeBytes { raw in
        let bytes = raw.bindMemory(to: UInt8.self)
        return range.compactMap { line in
          var action = PreparedAction()
          return (try? decoder.decode(UnsafeBufferPointer(rebasing: bytes[line]), into: &action)) != nil ? action : nil
        }
      }
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "laurel-bench-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }

    let batchedPath = folder.appendingPathComponent("batched.sqlite").path
    let engine = Engine(rules: workload.rules, store: try SQLiteStore(path: batchedPath))
    let importer = try SQLiteImporter<Int>(engine: engine)
    let batchStart = DispatchTime.now().uptimeNanoseconds
    let batchCPUStart = Measure.cpuSeconds()
    var i = 0
    while i < lines.count {
      _ = try await importer.submit(decode(lines[i..<min(i + batchSize, lines.count)]), tag: i)
      i += batchSize
    }
    _ = try await importer.finish()
    let batched = Double(DispatchTime.now().uptimeNanoseconds - batchStart) / 1e9
    let batchedCPU = Measure.cpuSeconds() - batchCPUStart
    try engine.store.checkpoint()
    let size = (try FileManager.default.attributesOfItem(atPath: batchedPath)[.size] as? Int) ?? 0
    print(
      "batched (decode + apply, written while the next batch is planned, \(batchSize) per transaction): \(Measure.format(batched, 2)) s (cpu \(Measure.format(batchedCPU, 2)) s), \(Measure.format(Double(lines.count) / batched / 1e3, 1)) k actions/s, \(Measure.format(Double(size) * 1e6 / Double(max(lines.count, 1)) / 1_048_576, 0)) MiB per million actions (action log included); batches planned ahead \(importer.statistics.planned), in order \(importer.statistics.ordinary), replanned \(importer.statistics.replanned)"
    )
    if let baseline = try workload.baseline() {
      let subset = folder.appendingPathComponent("subset.jsonl")
      try text.prefix(lines.last.map { $0.upperBound + 1 } ?? 0).write(to: subset)
      let childCPUStart = Measure.cpuSeconds(.children)
      let c = try Measure.run([
        baseline.path, subset.path, "--sqlite", folder.appendingPathComponent("baseline.sqlite").path,
      ]).seconds
      let cCPU = Measure.cpuSeconds(.children) - childCPUStart
      print(
        "baseline.c --sqlite: \(Measure.format(c, 2)) s (cpu \(Measure.format(cCPU, 2)) s), \(Measure.format(Double(lines.count) / c / 1e3, 1)) k actions/s; ratio \(Measure.format(c / batched, 3)) (bar: >= 0.5; cpu ratio \(Measure.format(cCPU / batchedCPU, 3)))"
      )
    }

    let durable = Engine(
      rules: workload.rules, store: try SQLiteStore(path: folder.appendingPathComponent("durable.sqlite").path))
    let sample = decode(lines.prefix(20000))
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
    print(
      "durable (one transaction per action, \(sample.count) actions): \(Measure.format(Double(sample.count) / total / 1e3, 1)) k actions/s, p50 \(Measure.format(p50, 0)) µs, p99 \(Measure.format(p99, 0)) µs (bar: >= 10 k/s)"
    )
  }
}
