/// A span of an expression's text, in Unicode scalars from its start.
package struct SourceRange: Hashable, Sendable {
  package var start: Int
  package var end: Int
  package init(start: Int, end: Int) {
    self.start = start
    self.end = max(end, start)
  }
  package var length: Int { max(1, end - start) }
  func union(_ other: SourceRange) -> SourceRange {
    SourceRange(start: min(start, other.start), end: max(end, other.end))
  }
}

/// A node of a parsed expression. Nodes are numbered so the checker can record
/// a type per node.
package final class Expr: Sendable {
  package let id: Int
  package let kind: Kind
  package let range: SourceRange

  init(id: Int, kind: Kind, range: SourceRange) {
    self.id = id
    self.kind = kind
    self.range = range
  }

  package enum Kind: Sendable {
    case literal(Value)
    case ident(String)
    /// `operand.field`; `testOnly` for the `has(operand.field)` macro.
    case select(operand: Expr, field: String, fieldRange: SourceRange, testOnly: Bool)
    /// A global function (`size(x)`) or a receiver call (`x.startsWith(y)`).
    case call(function: String, target: Expr?, args: [Expr], nameRange: SourceRange)
    case index(Expr, Expr)
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case conditional(Expr, Expr, Expr)
    case list([Expr])
    case map([(key: Expr, value: Expr)])
    case comprehension(Comprehension)
  }
}

package enum UnaryOperator: String, Sendable {
  case not = "!"
  case negate = "-"
}

package enum BinaryOperator: String, Sendable {
  case add = "+"
  case subtract = "-"
  case multiply = "*"
  case divide = "/"
  case remainder = "%"
  case equal = "=="
  case notEqual = "!="
  case less = "<"
  case lessOrEqual = "<="
  case greater = ">"
  case greaterOrEqual = ">="
  case `in` = "in"
}

/// One of the macros `all`, `exists`, `exists_one`, `map`, `filter`.
package struct Comprehension: Sendable {
  package enum Macro: String, Sendable {
    case all
    case exists
    case existsOne = "exists_one"
    case map
    case filter
  }
  package var macro: Macro
  package var range: Expr
  package var variable: String
  /// The condition (all/exists/exists_one/filter, and map's optional filter).
  package var predicate: Expr?
  /// The value `map` produces per element.
  package var transform: Expr?
}
