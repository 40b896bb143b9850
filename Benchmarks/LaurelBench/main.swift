import Foundation

/// laurel-bench: prints figures and ratios against hand-written baselines
/// measured in the same run. Build in release:
///
///     swift run -c release laurel-bench [expressions|engine|simulate|diff|store|all] [--events N] [--batch N]
let arguments = Array(CommandLine.arguments.dropFirst())
let which = arguments.first { !$0.hasPrefix("--") } ?? "all"
var events = 1_000_000
if let i = arguments.firstIndex(of: "--events"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) { events = n }
var batch = 50_000  // laurel ingest's default
if let i = arguments.firstIndex(of: "--batch"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) { batch = max(1, n) }

print("laurel-bench (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
if which == "expressions" || which == "all" { ExpressionBench.run() }
if ["engine", "simulate", "diff", "store", "all"].contains(which) {
  let workload = try Workload.prepare(events: events)
  if which == "engine" || which == "all" { try EngineBench.run(workload) }
  if which == "simulate" || which == "all" { try SimulateBench.run(workload) }
  if which == "diff" || which == "all" { try DiffBench.run(workload) }
  if which == "store" || which == "all" { try await StoreBench.run(workload, events: events, batchSize: batch) }
}
