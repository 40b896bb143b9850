import Foundation
public import Laurel
public import LaurelDiagnostics
import LaurelExpression
import Yams

/// Loads rule files (YAML) into compiled rules, reporting every problem as a
/// `file:line:column` diagnostic.
///
/// ```swift
/// let rules = try RuleLoader().load(paths: ["rules/community-points.yaml"])
/// ```
///
/// Hostile input is refused quickly: files over ``maxFileSize`` bytes (found
/// out before more than that is read), and documents whose aliases expand to
/// more than ``maxNodes`` nodes or ``maxExpandedBytes`` bytes of text
/// ("billion laughs", or one long expression used thousands of times), are
/// errors, not hangs.
public struct RuleLoader: Sendable {
  /// Largest rule file accepted, in bytes.
  public var maxFileSize = 1 << 20
  /// Most YAML nodes a document may expand to (aliases counted at every use).
  public var maxNodes = 50_000
  /// Most bytes of scalar text a document may expand to (aliases counted at every use).
  public var maxExpandedBytes = 2 << 20
  public var compiler = RuleCompiler()

  public init() {}

  /// One scheme found in the given paths: its files and what became of them.
  public struct LoadedScheme: Sendable {
    public var name: String
    public var files: [String]
    public var rules: CompiledRules?
    public var diagnostics: [Diagnostic]
  }

  /// Loads and compiles the files (folders are read for `*.yaml` / `*.yml`) as one scheme.
  public func load(paths: [String]) throws(DiagnosticError) -> CompiledRules {
    let schemes = loadSchemes(paths: paths)
    if schemes.count > 1 {
      throw DiagnosticError([
        Diagnostic(
          code: .duplicate,
          message:
            "these paths hold \(schemes.count) schemes (\(schemes.map(\.name).joined(separator: ", "))); name one file or folder per scheme",
          at: nil)
      ])
    }
    guard let scheme = schemes.first else {
      throw DiagnosticError([
        Diagnostic(code: .io, message: "no rule files (*.yaml) found in \(paths.joined(separator: ", "))", at: nil)
      ])
    }
    guard let rules = scheme.rules else { throw DiagnosticError(scheme.diagnostics) }
    return rules
  }

  /// Loads and compiles one rule file given as text (rules kept in a database,
  /// edited in a browser); `file` is the name diagnostics give. The same
  /// limits apply as to files on disk.
  ///
  /// ```swift
  /// let rules = try RuleLoader().load(text: yaml, file: "playground.yaml")
  /// ```
  public func load(text: String, file: String = "rules.yaml") throws(DiagnosticError) -> CompiledRules {
    try load(sources: [(file, text)])
  }

  /// Loads and compiles the files of one scheme given as `(path, text)`
  /// pairs (the rule files a store keeps); diagnostics name those paths.
  public func load(sources: [(path: String, text: String)]) throws(DiagnosticError) -> CompiledRules {
    var roots: [(String, String, Node)] = []
    var problems: [Diagnostic] = []
    for (file, text) in sources {
      guard text.utf8.count <= maxFileSize else {
        problems.append(
          Diagnostic(
            code: .tooComplex,
            message: "the text is over \(maxFileSize) bytes; rule files are limited to \(maxFileSize) bytes",
            at: SourceLocation(file: file, line: 1, column: 1)))
        continue
      }
      switch compose(text, file: file) {
      case .success(let root): roots.append((file, text, root))
      case .failure(let error): problems += error.diagnostics
      }
    }
    guard problems.isEmpty else { throw DiagnosticError(problems) }
    let scheme = compile(roots, diagnostics: [])
    guard let rules = scheme.rules else { throw DiagnosticError(scheme.diagnostics) }
    return rules
  }

  /// Loads every scheme in the paths; files are grouped by their `scheme:` name.
  public func loadSchemes(paths: [String]) -> [LoadedScheme] {
    var files: [String] = []
    var diagnostics: [Diagnostic] = []
    for path in paths {
      do {
        let found = try Self.expand(path)
        if found.isEmpty {
          diagnostics.append(Diagnostic(code: .io, message: "no rule files (*.yaml, *.yml) in \(path)", at: nil))
        }
        files += found
      } catch {
        diagnostics.append(
          Diagnostic(code: .io, message: "cannot read \(path): \(error.localizedDescription)", at: nil))
      }
    }
    var groups: [(name: String, roots: [(String, String, Node)])] = []
    for file in files {
      switch read(file) {
      case .failure(let problems): diagnostics += problems.diagnostics
      case .success(let (text, root)):
        let name = root.mapping?["scheme"]?.scalar?.string ?? ""
        if let i = groups.firstIndex(where: { $0.name == name || name.isEmpty || $0.name.isEmpty }) {
          if groups[i].name.isEmpty { groups[i].name = name }
          groups[i].roots.append((file, text, root))
        } else {
          groups.append((name, [(file, text, root)]))
        }
      }
    }
    if groups.isEmpty && !diagnostics.isEmpty {
      return [LoadedScheme(name: "", files: files, rules: nil, diagnostics: diagnostics)]
    }
    return groups.map { compile($0.roots, diagnostics: diagnostics) }
  }

  /// Parses the files of one scheme into a rule book and compiles it.
  private func compile(_ roots: [(String, String, Node)], diagnostics: [Diagnostic]) -> LoadedScheme {
    var book = RuleBook(scheme: Name(""))
    var problems = diagnostics
    for (file, text, root) in roots {
      var parser = RuleFileParser(reader: YAMLReader(file: file, text: text), book: book)
      parser.parse(root)
      book = parser.book
      problems += parser.reader.diagnostics
    }
    if book.scheme.text.isEmpty {
      problems.append(
        Diagnostic(
          code: .missingKey, message: "no file declares 'scheme:' (the scheme's name)",
          at: SourceLocation(file: roots.first?.0, line: 1, column: 1)))
    }
    var rules: CompiledRules?
    switch compiler.compile(book) {
    case .success(let compiled): rules = compiled
    case .failure(let error): problems += error.diagnostics
    }
    let errors = problems.contains { $0.severity == .error }
    return LoadedScheme(
      name: book.scheme.text, files: roots.map(\.0), rules: errors ? nil : rules, diagnostics: problems)
  }

  /// Reads and composes one file, enforcing the size and expansion limits.
  func read(_ file: String) -> Result<(String, Node), DiagnosticError> {
    func fail(
      _ code: Diagnostic.Code, _ message: String, line: Int = 1, column: Int = 1
    ) -> Result<(String, Node), DiagnosticError> {
      .failure(
        DiagnosticError([
          Diagnostic(code: code, message: message, at: SourceLocation(file: file, line: line, column: column))
        ]))
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
      return fail(.io, "cannot read the file: no such file")
    }
    guard !isDirectory.boolValue else { return fail(.io, "cannot read the file: it is a directory") }
    guard let handle = FileHandle(forReadingAtPath: file) else { return fail(.io, "cannot read the file") }
    defer { try? handle.close() }
    // Read at most one byte past the limit: a huge file is refused without being read whole.
    var data = Data()
    do {
      while data.count <= maxFileSize, let chunk = try handle.read(upToCount: maxFileSize + 1 - data.count),
        !chunk.isEmpty
      {
        data.append(chunk)
      }
    } catch {
      return fail(.io, "cannot read the file: \(error.localizedDescription)")
    }
    guard data.count <= maxFileSize else {
      return fail(.tooComplex, "the file is over \(maxFileSize) bytes; rule files are limited to \(maxFileSize) bytes")
    }
    guard let text = String(data: data, encoding: .utf8) else { return fail(.yaml, "the file is not UTF-8 text") }
    return compose(text, file: file).map { (text, $0) }
  }

  /// Whether `text` is YAML within the size and expansion limits (tools that
  /// read a rule file's YAML themselves check this first).
  package func isWithinLimits(_ text: String) -> Bool {
    guard text.utf8.count <= maxFileSize, case .success = compose(text, file: "") else { return false }
    return true
  }

  /// Composes YAML text into nodes, enforcing the expansion limits.
  func compose(_ text: String, file: String) -> Result<Node, DiagnosticError> {
    func fail(
      _ code: Diagnostic.Code, _ message: String, line: Int = 1, column: Int = 1
    ) -> Result<Node, DiagnosticError> {
      .failure(
        DiagnosticError([
          Diagnostic(code: code, message: message, at: SourceLocation(file: file, line: line, column: column))
        ]))
    }
    let root: Node
    do {
      guard let composed = try Yams.compose(yaml: text) else { return fail(.yaml, "the file is empty") }
      root = composed
    } catch let error as YamlError {
      let (message, line, column) = Self.describe(error)
      return fail(.yaml, message, line: line, column: column)
    } catch {
      return fail(.yaml, "\(error)")
    }
    var budget = (nodes: maxNodes, bytes: maxExpandedBytes)
    guard Self.fits(root, budget: &budget) else {
      let what = budget.nodes < 0 ? "\(maxNodes) YAML nodes" : "\(maxExpandedBytes) bytes of text"
      return fail(
        .tooComplex,
        "the document expands to more than \(what) (are aliases used to multiply it?); rule files must stay small")
    }
    return .success(root)
  }

  /// Counts nodes and their text, aliases at every use, stopping as soon as the budget runs out.
  static func fits(_ node: Node, budget: inout (nodes: Int, bytes: Int)) -> Bool {
    budget.nodes -= 1
    if case .scalar(let scalar) = node { budget.bytes -= scalar.string.utf8.count }
    if budget.nodes < 0 || budget.bytes < 0 { return false }
    switch node {
    case .mapping(let m):
      for (k, v) in m { guard fits(k, budget: &budget), fits(v, budget: &budget) else { return false } }
    case .sequence(let s):
      for v in s { guard fits(v, budget: &budget) else { return false } }
    default: break
    }
    return true
  }

  static func describe(_ error: YamlError) -> (String, Int, Int) {
    switch error {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
      if problem.hasPrefix("Maximum nesting level") {
        return (
          "invalid YAML: the document nests too deeply; rule files nest a few levels at most", mark.line, mark.column
        )
      }
      return ("invalid YAML: \(problem)", mark.line, mark.column)
    case .composer(_, let problem, let mark, _):
      return ("invalid YAML: \(problem)", mark.line, mark.column)
    case .duplicatedKeysInMapping(let duplicates, let context):
      return (
        "a key appears twice in one mapping: \(duplicates.joined(separator: ", "))", context.mark.line,
        context.mark.column
      )
    default:
      return ("invalid YAML: \(error)", 1, 1)
    }
  }

  /// A file, or the `*.yaml`/`*.yml` files of a folder (not its subfolders), sorted.
  static func expand(_ path: String) throws -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
    }
    guard isDirectory.boolValue else { return [path] }
    return try FileManager.default.contentsOfDirectory(atPath: path)
      .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
      .sorted()
      .map { (path as NSString).appendingPathComponent($0) }
  }
}
