/// Reads a variable's value for one evaluation; nil means "absent"
/// (selecting it is a `no such key` error, `has()` is false).
package typealias VariableResolver = @Sendable (Activation) throws(EvalError) -> Value?

/// Reads `variable[key]` without materialising the whole map (counters keyed by
/// module, say); nil means "absent".
package typealias KeyedResolver = @Sendable (Activation, Value) throws(EvalError) -> Value?

/// The names an expression may use, with their types: the environment the
/// checker checks against and the planner binds to.
///
/// Names may be qualified (`event.minutes`): CEL resolves `event.minutes` to
/// the longest declared name, so a host can expose a tree of values without
/// building maps at run time. Every prefix of a qualified name is a
/// *namespace*; selecting an undeclared name in it is a diagnostic with a
/// suggestion.
///
/// ```swift
/// var env = Declarations()
/// env.declare("event.minutes", .int)
/// env.declare("member.counters.module_messages", .map(.string, .int),
///             keyedResolver: { activation, key in ... })
/// ```
package struct Declarations: Sendable {
  /// One declared variable.
  package struct Variable: Sendable {
    package var name: String
    package var type: ExprType
    /// Index into ``Activation/variables`` when no resolver is given.
    package var slot: Int
    package var resolver: VariableResolver?
    package var keyedResolver: KeyedResolver?
    /// For a named value (a rule file's `let:`): the declared names its
    /// definition reads. Programs report these instead of the name itself, so
    /// dependency tracking sees through the name.
    package var reads: Set<String>?
    /// For a named value whose definition is a ``Predicate``: that predicate,
    /// which predicates using the name inline.
    package var predicate: Predicate?
  }

  package private(set) var variables: [String: Variable] = [:]
  /// Namespace path -> the names directly under it ("" holds the roots).
  package private(set) var namespaces: [String: [String]] = [:]
  /// How many slots an ``Activation`` for these declarations needs.
  package private(set) var slotCount = 0

  package init() {}

  /// Declares (or redeclares) a variable.
  ///
  /// - Parameters:
  ///   - name: a simple or dotted name (`x`, `event.minutes`).
  ///   - type: the static type the checker assumes.
  ///   - resolver: computes the value on demand; without one, the value is read
  ///     from ``Activation/variables`` at the returned slot.
  ///   - keyedResolver: answers `name[key]` directly, for map-typed variables.
  @discardableResult
  ///   - reads: for a named value, the names its definition reads.
  ///   - predicate: for a named value, its definition as a predicate, if it is one.
  /// - Returns: the slot of the variable.
  package mutating func declare(
    _ name: String, _ type: ExprType, resolver: VariableResolver? = nil, keyedResolver: KeyedResolver? = nil,
    reads: Set<String>? = nil, predicate: Predicate? = nil
  ) -> Int {
    if let existing = variables[name] {
      variables[name] = Variable(
        name: name, type: type, slot: existing.slot, resolver: resolver, keyedResolver: keyedResolver, reads: reads,
        predicate: predicate)
      return existing.slot
    }
    let slot = slotCount
    slotCount += 1
    variables[name] = Variable(
      name: name, type: type, slot: slot, resolver: resolver, keyedResolver: keyedResolver, reads: reads,
      predicate: predicate)
    var parent = ""
    for part in name.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
      if !namespaces[parent, default: []].contains(part) { namespaces[parent, default: []].append(part) }
      parent = parent.isEmpty ? part : parent + "." + part
    }
    return slot
  }

  /// The slot of a declared variable.
  package func slot(of name: String) -> Int? { variables[name]?.slot }

  func isNamespace(_ path: String) -> Bool { namespaces[path] != nil }
}
