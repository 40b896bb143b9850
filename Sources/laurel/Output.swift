import ArgumentParser
import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelDiagnostics
import LaurelRules

/// What every command prints and reads through: writes that report their
/// failure, rule loading that prints every diagnostic, input paths checked
/// before anything is created.
enum Output {
  /// Writes a line to standard error (a failure to do so is ignored: there is nowhere left to say it).
  static func error(_ line: String, terminator: String = "\n") {
    _ = write(line + terminator, to: 2)
  }

  /// Writes `text` to standard output. A write that fails (a full disk,
  /// a closed descriptor) is reported and exits with status 1, so no
  /// command loses its output and still exits 0.
  static func print(_ text: String, terminator: String = "\n") throws {
    if let failure = write(text + terminator, to: 1) {
      error("laurel: cannot write the output: \(failure)")
      throw ExitCode(1)
    }
  }

  /// Writes all of `text` to a file descriptor; the error's text, or nil.
  private static func write(_ text: String, to descriptor: Int32) -> String? {
    var text = text
    return text.withUTF8 { bytes -> String? in
      var offset = 0
      while offset < bytes.count {
        let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return String(cString: strerror(errno))
        }
        offset += written
      }
      return nil
    }
  }

  /// Whether the process started with standard input closed. Written once,
  /// first thing in `main` before any other thread exists, then only read.
  nonisolated(unsafe) private(set) static var standardInputWasClosed = false

  /// Opens `/dev/null` on standard input, output or error if the process
  /// started with one closed, so that no file opened later takes its number
  /// (reading `-` would read that file, printing would write into it).
  /// Called once, first thing in `main`.
  static func claimStandardDescriptors() {
    for descriptor: Int32 in 0...2 where fcntl(descriptor, F_GETFD) == -1 {
      if descriptor == 0 { standardInputWasClosed = true }
      let opened = open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY)
      if opened >= 0 && opened != descriptor {
        dup2(opened, descriptor)
        close(opened)
      }
    }
  }

  /// Exits with a clear message unless `path` is `-` (standard input) or a readable file.
  static func checkReadableFile(_ path: String) throws {
    guard path != "-" else {
      if standardInputWasClosed {
        error("laurel: cannot read standard input: it is closed")
        throw ExitCode(1)
      }
      return
    }
    var isDirectory: ObjCBool = false
    let problem: String? =
      !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
      ? "no such file"
      : isDirectory.boolValue
        ? "it is a directory, not a file"
        : !FileManager.default.isReadableFile(atPath: path) ? "permission denied" : nil
    if let problem {
      error("laurel: cannot read \(path): \(problem)")
      throw ExitCode(1)
    }
  }

  /// Loads rules, or prints every diagnostic (and `context`, if given) and exits with status 1.
  static func loadRules(_ paths: [String], context: String? = nil) throws -> CompiledRules {
    try loadRules(context: context) { () throws(DiagnosticError) in try RuleLoader().load(paths: paths) }
  }

  /// Rules from files in memory (`git:REV`), named as given (`HEAD:rules/points.yaml`).
  static func loadRules(sources: [(path: String, text: String)], context: String? = nil) throws -> CompiledRules {
    try loadRules(context: context) { () throws(DiagnosticError) in try RuleLoader().load(sources: sources) }
  }

  private static func loadRules(
    context: String?, _ load: () throws(DiagnosticError) -> CompiledRules
  ) throws -> CompiledRules {
    do { return try load() } catch {
      for d in error.diagnostics { Output.error(d.description) }
      if let context { Output.error("laurel: \(context)") }
      throw ExitCode(1)
    }
  }
}
