import Foundation

/// Why rules could not be read from git.
package struct GitError: Error, CustomStringConvertible {
  package var description: String
  package init(_ description: String) { self.description = description }
}

/// Reads rule files committed in git (`git:REV[:PATH]`) into memory, each
/// named `REV:path` so diagnostics point at the committed file; nil for a
/// spec that is a plain path.
package enum GitRules {
  package static func sources(_ spec: String, default path: String) throws -> [(path: String, text: String)]? {
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
  package static func git(_ arguments: [String], in directory: String? = nil) throws -> String {
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
