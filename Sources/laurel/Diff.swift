import ArgumentParser
import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import LaurelDiagnostics
import LaurelRules

/// `laurel diff --from A --to B --events FILE [--format table|json|html]`.
struct Diff: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Replay a history under two versions of the rules and show who would gain or lose what, and why.",
    discussion: """
      --from and --to are rule files or folders. --from git:REV compares against the version of the \
      --to path committed at REV (e.g. git:HEAD, git:main) without a checkout; git:REV:PATH names \
      another path.
      """)

  @Option(help: "The current rules (a path, or git:REV for the committed version of --to).")
  var from: String

  @Option(help: "The proposed rules.")
  var to: String

  @Option(help: "History of actions, one JSON object per line.")
  var events: String

  @Option(help: "table (default), json or html.")
  var format: Format = .table

  @Option(help: "How many changed members the table lists.")
  var limit = 30

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
    case html
  }

  func run() throws {
    let committed: [(path: String, text: String)]?
    do { committed = try GitRules.sources(from, default: to) } catch {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
    let context = "the rules given by \(from) are not valid"
    let old =
      try committed.map { try Output.loadRules(sources: $0, context: context) }
      ?? Output.loadRules([from], context: context)
    let new = try Output.loadRules([to], context: "the rules given by \(to) are not valid")
    try Output.checkReadableFile(events)
    let size = (try? FileManager.default.attributesOfItem(atPath: events)[.size] as? Int) ?? nil
    let progress = Progress(enabled: isatty(2) == 1, total: size)
    var report: DiffReport
    do {
      report = try RuleChangeAnalysis(from: old, to: new).run(path: events, progress: progress.update)
      report.sources = (from, to)
    } catch {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
    progress.finish()
    switch format {
    case .table: try Output.print(report.table(maxMembers: limit), terminator: "")
    case .json: try Output.print(report.json(), terminator: "")
    case .html: try Output.print(report.html(), terminator: "")
    }
  }
}

/// Why rules could not be read from git.
struct GitError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Reads rule files committed in git (`git:REV[:PATH]`) into memory, each
/// named `REV:path` so diagnostics point at the committed file; nil for a
/// spec that is a plain path.
enum GitRules {
  static func sources(_ spec: String, default path: String) throws -> [(path: String, text: String)]? {
    guard spec.hasPrefix("git:") else { return nil }
    let parts = spec.dropFirst(4).split(separator: ":", maxSplits: 1).map(String.init)
    guard let rev = parts.first, !rev.isEmpty else { throw GitError("write git:REV, e.g. git:HEAD") }
    let target = parts.count > 1 ? parts[1] : path
    let absolute = URL(fileURLWithPath: target).standardizedFileURL.resolvingSymlinksInPath().path
    // The repository the rules are in, wherever laurel runs from.
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory)
    let folder = exists && isDirectory.boolValue ? absolute : (absolute as NSString).deletingLastPathComponent
    let top = URL(
      fileURLWithPath: try git(["rev-parse", "--show-toplevel"], in: folder).trimmingCharacters(
        in: .whitespacesAndNewlines)
    ).resolvingSymlinksInPath().path
    guard absolute.hasPrefix(top + "/") || absolute == top else {
      throw GitError("\(target) is not inside the git repository at \(top)")
    }
    let relative = String(absolute.dropFirst(top.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    let listing = try git(["ls-tree", "-r", "--name-only", rev, "--", relative], in: top)
    let files = listing.split(separator: "\n").map(String.init).filter {
      ($0 == relative || $0.hasPrefix(relative + "/")) && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml"))
        && !$0.dropFirst(relative.count + 1).contains("/")
    }
    guard !files.isEmpty else { throw GitError("no rule files at \(relative) in \(rev)") }
    return try files.map { file in ("\(rev):\(file)", try git(["show", "\(rev):\(file)"], in: top)) }
  }

  @discardableResult
  static func git(_ arguments: [String], in directory: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git"] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      throw GitError(
        "git \(arguments.joined(separator: " ")): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    return String(decoding: data, as: UTF8.self)
  }
}
