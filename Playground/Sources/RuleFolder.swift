import Foundation
import HTTPTypes
import Laurel
import LaurelDiagnostics
import LaurelRules

/// The rules folder the playground was started on: the only place it reads
/// rule files from and the only place it writes them to.
struct RuleFolder: Sendable {
  /// The folder, absolute, symbolic links resolved.
  let url: URL
  let loader = RuleLoader()

  init(path: String) throws(PlaygroundError) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw .notFound("no such file or folder: \(path)")
    }
    let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
    url = isDirectory.boolValue ? resolved : resolved.deletingLastPathComponent()
  }

  /// The rule files in the folder (`*.yaml`, `*.yml`, not subfolders), sorted.
  func files() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
    return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
  }

  /// The absolute path of `file`, which must name a rule file directly in
  /// the folder: no separators, no `..`, no hidden files, a YAML extension.
  func path(of file: String) throws(PlaygroundError) -> String {
    guard !file.contains("/"), !file.contains("\\"), !file.hasPrefix("."), !file.contains("\u{0}"),
      file.hasSuffix(".yaml") || file.hasSuffix(".yml")
    else {
      throw .forbidden("'\(file)' is not a rule file of \(url.path); the playground reads and writes only those")
    }
    let candidate = url.appendingPathComponent(file).standardizedFileURL
    guard candidate.deletingLastPathComponent().path == url.path else {
      throw .forbidden("'\(file)' is outside the rules folder \(url.path)")
    }
    // A symbolic link leading out of the folder is refused too.
    let resolved = candidate.resolvingSymlinksInPath()
    guard resolved.deletingLastPathComponent().path == url.path else {
      throw .forbidden("'\(file)' leads outside the rules folder \(url.path)")
    }
    return candidate.path
  }

  /// The text of a rule file on disk, within the loader's size limit.
  func text(of file: String) throws(PlaygroundError) -> String {
    let path = try path(of: file)
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
      throw .notFound("no rule file \(file) in \(url.path)")
    }
    guard (attributes[.size] as? Int ?? 0) <= loader.maxFileSize else {
      throw .badRequest("\(file) is over \(loader.maxFileSize) bytes; rule files are limited to that")
    }
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw .badRequest("\(file) is not UTF-8 text")
    }
    return text
  }

  /// The `scheme:` a file declares, read without compiling it ("" when it declares none or is not YAML).
  func scheme(of text: String) -> String {
    PointValues.topLevelScalar("scheme", in: text) ?? ""
  }

  /// The other files of the folder that belong to the same scheme as `file`, with their texts.
  func companions(of file: String, scheme: String) -> [(path: String, text: String)] {
    guard !scheme.isEmpty else { return [] }
    return files().compactMap { other in
      guard other != file, let text = try? text(of: other), self.scheme(of: text) == scheme else { return nil }
      return (other, text)
    }
  }

  /// Compiles the edited text together with the other files of its scheme;
  /// diagnostics name files relative to the folder.
  func compile(_ rules: EditedRules) throws(PlaygroundError) -> CompiledRules {
    _ = try path(of: rules.file)
    let sources = [(rules.file, rules.text)] + companions(of: rules.file, scheme: scheme(of: rules.text))
    do { return try loader.load(sources: sources) } catch { throw .invalidRules(error) }
  }

  /// The rules to compare against: the files as saved (`disk`) or as
  /// committed at a git revision (`git:HEAD`), for the scheme of `file`.
  func baseline(
    for rules: EditedRules, against: String
  ) throws(PlaygroundError) -> (
    key: String, rules: CompiledRules
  ) {
    let scheme = scheme(of: rules.text)
    var names = [rules.file] + companions(of: rules.file, scheme: scheme).map(\.path)
    names = Array(Set(names)).sorted()
    var sources: [(path: String, text: String)] = []
    if against == "disk" {
      for name in names { sources.append((name, try text(of: name))) }
    } else {
      let revision = against.dropFirst(4)
      guard against.hasPrefix("git:"), !revision.isEmpty, !revision.hasPrefix("-"),
        revision.range(of: #"^[A-Za-z0-9_./~^@{}-]+$"#, options: .regularExpression) != nil
      else {
        throw .badRequest("compare against 'disk' or 'git:REV' (e.g. git:HEAD), not '\(against)'")
      }
      for name in names {
        do {
          sources += try GitRules.sources(against, default: try path(of: name)) ?? []
        } catch let error as PlaygroundError {
          throw error
        } catch {
          throw .badRequest("cannot read \(name) at \(revision): \(error)", code: "GIT")
        }
      }
    }
    let key = against + "\u{0}" + sources.map { $0.path + "\u{0}" + $0.text }.joined(separator: "\u{0}")
    do { return (key, try loader.load(sources: sources)) } catch {
      throw PlaygroundError(
        status: .unprocessableContent, code: "INVALID_BASELINE",
        message: "the rules to compare against (\(against)) are not valid: "
          + (error.diagnostics.first?.description ?? ""), problems: error.diagnostics.map(Problem.init))
    }
  }

  /// Writes a rule file back after checking it compiles; returns its size.
  func save(_ rules: EditedRules) throws(PlaygroundError) -> Int {
    let path = try path(of: rules.file)
    guard FileManager.default.fileExists(atPath: path) else {
      throw .notFound("no rule file \(rules.file) in \(url.path); the playground saves existing files only")
    }
    _ = try compile(rules)
    let data = Data(rules.text.utf8)
    do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
      throw PlaygroundError(
        status: .internalServerError, code: "WRITE",
        message: "cannot write \(rules.file): \(error.localizedDescription)")
    }
    return data.count
  }

  /// Whether the folder is inside a git work tree.
  var isInGit: Bool {
    (try? GitRules.git(["rev-parse", "--is-inside-work-tree"], in: url.path))?.hasPrefix("true") ?? false
  }
}
