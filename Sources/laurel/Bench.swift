import ArgumentParser

/// `laurel bench`: points at the benchmark executable.
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Benchmarks live in the laurel-bench executable: swift run -c release laurel-bench --help.")

  func run() throws {
    try Output.print("Run: swift run -c release laurel-bench all   (see Benchmarks/README.md)")
  }
}
