import Foundation
import Testing

/// The playground in headless Chromium (Debian's `chromium`, `chromium-driver`
/// and `python3-selenium`; `.ci/run` installs them): every step a product
/// person takes, driven by `Playground/Tests/browser_test.py` against the
/// `laurel` built with these tests. Screenshots of each step are kept in
/// `.build/playground-screenshots/`. Without a browser the test says so and
/// passes, except under `CI=true`.
@Suite struct BrowserTests {
  /// The Python that has Selenium (Debian's, whatever `python3` is first on PATH).
  static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { candidate in
    guard FileManager.default.isExecutableFile(atPath: candidate) else { return false }
    return (try? runBlocking(candidate, ["-c", "import selenium"], echo: false).status) == 0
  }

  static let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }
  static let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  @Test(.timeLimit(.minutes(20))) func productPersonEditsComparesInspectsUploadsAndSaves() async throws {
    guard let python = Self.python, Self.browser != nil, Self.driver != nil else {
      let missing =
        "headless Chromium, chromedriver and python3-selenium are needed (apt-get install chromium chromium-driver python3-selenium)"
      if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("\(missing)") }
      print("skipping the browser tests: \(missing)")
      return
    }
    let laurel = try BuiltLaurel.path
    let screenshots = repositoryRoot.appendingPathComponent(".build/playground-screenshots").path
    // The latency step replays 5,000 actions here, in a debug build (about
    // 100 times slower than release); the 100,000-action figure comes from
    // `browser_test.py --laurel .build/release/laurel` (Playground/README.md).
    let large = ProcessInfo.processInfo.environment["LAUREL_BROWSER_LARGE"] ?? "5000"
    let result = try await Self.run(
      python,
      [
        repositoryRoot.appendingPathComponent("Playground/Tests/browser_test.py").path, "--laurel", laurel,
        "--screenshots", screenshots, "--large", large,
      ], echo: true)
    #expect(result.status == 0, "browser_test.py failed:\n\(result.output)")
    #expect(result.output.contains("all steps passed"))
  }

  /// Runs a program to completion; its output and error, merged.
  ///
  /// The wait is on a thread of its own: a test waiting on one of the few
  /// threads tasks share (two on a two-core machine) would stall every other
  /// suite's tasks for minutes.
  static func run(
    _ program: String, _ arguments: [String], echo: Bool = false
  ) async throws -> (status: Int32, output: String) {
    try await withCheckedThrowingContinuation { continuation in
      Thread { continuation.resume(with: Result { try runBlocking(program, arguments, echo: echo) }) }.start()
    }
  }

  static func runBlocking(
    _ program: String, _ arguments: [String], echo: Bool
  ) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    var output = Data()
    while case let chunk = pipe.fileHandleForReading.availableData, !chunk.isEmpty {
      output.append(chunk)
      if echo { FileHandle.standardError.write(chunk) }
    }
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
  }
}

/// The `laurel` executable built beside this test bundle.
enum BuiltLaurel {
  struct Missing: Error, CustomStringConvertible {
    var description: String
  }

  static var path: String {
    get throws {
      var folder = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath()
        .deletingLastPathComponent()
      for _ in 0..<4 {
        let candidate = folder.appendingPathComponent("laurel").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        folder = folder.deletingLastPathComponent()
      }
      throw Missing(description: "no laurel executable beside the test bundle (\(CommandLine.arguments[0]))")
    }
  }
}
