import Foundation

/// laurel-bench: prints figures and ratios against hand-written baselines
/// measured in the same run. Build in release:
///
///     swift run -c release laurel-bench [expressions|engine|stack-exchange|simulate|diff|store|admin|postgres|all] [--events N] [--batch N] [--members N]
///     swift run -c release laurel-bench generate-stack-exchange --events N > history.jsonl
///
/// `postgres` (not part of `all`) needs `--postgres URL` of a server: Benchmarks/Postgres/run.sh starts one.
let arguments = Array(CommandLine.arguments.dropFirst())
let which = arguments.first { !$0.hasPrefix("--") } ?? "all"
/// The positive number after `name` on the command line, if any.
func option(_ name: String) -> Int? {
  guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let n = Int(arguments[i + 1]), n > 0 else {
    return nil
  }
  return n
}
let events = option("--events") ?? 1_000_000
let batch = option("--batch") ?? 50_000  // laurel ingest's default

if which == "generate-stack-exchange" {
  var history = StackExchangeHistory(events: option("--events") ?? 2_000)
  for _ in 0..<(option("--events") ?? 2_000) { print(history.nextLine()) }
  exit(0)
}
print("laurel-bench (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
if which == "expressions" || which == "all" { ExpressionBench.run() }
if ["engine", "stack-exchange", "simulate", "diff", "store", "admin", "postgres", "all"].contains(which) {
  let workload = try Workload.prepare(events: events)
  if which == "engine" || which == "all" { try EngineBench.run(workload) }
  if which == "stack-exchange" || which == "all" { try StackExchangeBench.run(workload) }
  if which == "simulate" || which == "all" { try SimulateBench.run(workload) }
  if which == "diff" || which == "all" { try DiffBench.run(workload) }
  if which == "store" || which == "all" { try await StoreBench.run(workload, events: events, batchSize: batch) }
  if which == "postgres" {
    guard let i = arguments.firstIndex(of: "--postgres"), i + 1 < arguments.count else {
      print("laurel-bench postgres needs --postgres postgres://user@host:port/database (Benchmarks/Postgres/run.sh)")
      exit(2)
    }
    try await PostgresBench.run(workload, events: events, batchSize: option("--batch") ?? 5_000, url: arguments[i + 1])
  }
  if which == "admin" || which == "all" { try await AdminBench.run(workload, members: option("--members") ?? 100_000) }
}
