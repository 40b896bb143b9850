import LaurelDiagnostics
import LaurelExpression

/// `let:` — conditions and values written once and used by name.
///
/// A named value is declared as a variable whose resolver evaluates its
/// definition, in every environment whose names the definition reads: one
/// that reads only the action is usable everywhere (`to`, keys, the scope),
/// one that reads `member.*` in conditions and amounts, one that reads `key`
/// in badge conditions. Programs using it report the names the definition
/// reads, so whether a `when` reads only the action, which fields an action
/// type binds and which state a badge depends on all see through the name.
extension Compilation {
  /// Names a named value cannot take: the roots of the environment, and CEL's
  /// literals and reserved words.
  static let reservedNames: Set<String> = [
    "event", "member", "key", "math", "true", "false", "null", "in", "as", "break", "const", "continue", "else",
    "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
    "has", "dyn",
  ]

  mutating func declareNamedValues(in env: inout RuleEnvironment) {
    _ = index(book.namedValues.map(\.name), kind: "named value")
    var declared = Set<String>()
    for (position, value) in book.namedValues.enumerated() {
      let name = value.name.text
      guard declared.insert(name).inserted else { continue }
      if Self.reservedNames.contains(name) {
        error(
          .invalidValue, "'\(name)' is reserved in expressions; give this named value another name",
          at: value.name.location, length: name.count)
        continue
      }
      if book.objects.contains(where: { $0.name.text == name }) {
        error(
          .duplicate, "'\(name)' is an object (objects:); give this named value another name",
          at: value.name.location, length: name.count)
        continue
      }
      // The widest environment first: its diagnostics are the definition's own problems.
      laterNamedValues = Set(book.namedValues[(position + 1)...].map(\.name.text))
      defer { laterNamedValues = [] }
      guard let widest = expression(value.expression, in: env.badge, expecting: nil, role: "let '\(name)'") else {
        failedNamedValues[name] = value.name.location
        continue
      }
      let reads = widest.references
      namedValueReads[name] = reads
      let environments: [WritableKeyPath<RuleEnvironment, Declarations>] =
        if reads.allSatisfy({ $0.hasPrefix("event.") }) {
          [\.event, \.rule, \.badge]
        } else if !reads.contains("key") {
          [\.rule, \.badge]
        } else {
          [\.badge]
        }
      for path in environments {
        let compiled =
          path == \RuleEnvironment.badge
          ? .success(widest)
          : ExpressionCompiler(declarations: env[keyPath: path], options: options).compile(value.expression)
        guard case .success(let program) = compiled else { continue }
        env[keyPath: path].declare(
          name, program.resultType, resolver: { a throws(EvalError) in try program.evaluateNested(a) }, reads: reads,
          predicate: program.predicate)
      }
    }
  }

  /// Why a named value is unknown where it is used, or nil when it is not one.
  func unavailableNamedValue(_ name: String, role: String?) -> String? {
    if laterNamedValues.contains(name) {
      return "'\(name)' is defined further down in let:; a named value can use only those above it"
    }
    if let location = failedNamedValues[name] {
      let at = location.map { " (line \($0.line))" } ?? ""
      return "'\(name)' is a named value whose definition\(at) has an error"
    }
    guard let reads = namedValueReads[name] else { return nil }
    let place = role.map { $0 == "to" ? "'to'" : $0 } ?? "this expression"
    if reads.contains("key") {
      return "'\(name)' reads key, which only badge conditions have; it is not available in \(place)"
    }
    let state =
      reads.first { $0.hasPrefix("member.") }.map { _ in "member.*" }
      ?? reads.first { !$0.hasPrefix("event.") }.map { String($0.prefix { $0 != "." }) + ".*" } ?? "member.*"
    return "'\(name)' reads \(state), which is not available in \(place): "
      + (role == "to"
        ? "'to' decides whose state the rule reads"
        : "\(role ?? "this expression") is worked out from the action alone (event.*)")
  }
}
