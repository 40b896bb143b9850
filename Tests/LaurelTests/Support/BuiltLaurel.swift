import Foundation

/// The `laurel` executable built with these tests. The test target depends
/// on the executable target, so `swift test` builds it from the current
/// sources into the same folder as the test bundle; the suites run that
/// binary, never one left over from another build, and fail (not skip) when
/// it is missing.
enum BuiltLaurel {
  struct Missing: Error, CustomStringConvertible {
    var description: String
  }

  static var path: String {
    get throws {
      guard let found = located else {
        throw Missing(description: "no laurel executable beside the test bundle (\(testExecutable.path))")
      }
      return found
    }
  }

  /// The test process's executable (the `.xctest` binary on Linux, inside the bundle on macOS).
  private static let testExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    .resolvingSymlinksInPath()

  /// The build folder holds the bundle: look beside it, then up from inside a macOS bundle.
  private static let located: String? = {
    var folder = testExecutable.deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = folder.appendingPathComponent("laurel").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      folder = folder.deletingLastPathComponent()
    }
    return nil
  }()

  /// Runs `laurel` with `arguments` to completion and returns its standard
  /// output (standard error is discarded).
  static func output(_ arguments: [String]) async throws -> String {
    try await onOwnThread { try outputBlocking(arguments) }
  }

  /// Runs `laurel` with `arguments` to completion (output discarded) and returns its exit status.
  @discardableResult
  static func run(_ arguments: [String]) async throws -> Int32 {
    try await onOwnThread { try runBlocking(arguments) }
  }

  private static func outputBlocking(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try path)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  private static func runBlocking(_ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try path)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
  }
}
