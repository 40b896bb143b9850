import Foundation

/// Timing helpers: best of several rounds, monotonic clock.
enum Measure {
  /// Nanoseconds per iteration, best of `rounds`.
  static func nanosPerIteration(iterations: Int, rounds: Int = 5, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<rounds {
      let start = DispatchTime.now().uptimeNanoseconds
      body()
      let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start)
      best = min(best, elapsed / Double(iterations))
    }
    return best
  }

  /// Seconds for one run of `body`, best of `rounds`.
  static func seconds(rounds: Int = 3, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<rounds {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return best
  }

  /// User plus system CPU seconds used so far by this process (`.self`) or by
  /// its finished children (`.children`): steadier than wall time on a shared
  /// machine, so runs can be compared when the wall clock is noisy.
  static func cpuSeconds(_ who: CPUOf = .self) -> Double {
    var usage = rusage()
    getrusage(who == .self ? RUSAGE_SELF.rawValue : RUSAGE_CHILDREN.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
  }

  enum CPUOf { case `self`, children }

  static func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

  /// Runs a command, returning its wall time in seconds and peak RSS in KiB (via /usr/bin/time when present).
  static func run(_ command: [String], stdout: String = "/dev/null") throws -> (seconds: Double, peakKiB: Int?) {
    let timeBinary = FileManager.default.isExecutableFile(atPath: "/usr/bin/time")
    let process = Process()
    let stats = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-bench-time-\(UUID().uuidString)")
    if timeBinary {
      process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
      process.arguments = ["-f", "%M", "-o", stats.path] + command
    } else {
      process.executableURL = URL(fileURLWithPath: command[0])
      process.arguments = Array(command.dropFirst())
    }
    process.standardOutput = FileHandle(forWritingAtPath: stdout)
    let start = DispatchTime.now().uptimeNanoseconds
    try process.run()
    process.waitUntilExit()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    guard process.terminationStatus == 0 else {
      throw NSError(
        domain: "laurel-bench", code: Int(process.terminationStatus),
        userInfo: [NSLocalizedDescriptionKey: "\(command.joined(separator: " ")) failed"])
    }
    let peak = (try? String(contentsOf: stats, encoding: .utf8)).flatMap { Int($0.split(separator: "\n").last ?? "") }
    try? FileManager.default.removeItem(at: stats)
    return (seconds, peak)
  }
}
