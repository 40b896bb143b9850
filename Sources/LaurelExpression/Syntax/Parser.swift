/// A syntax error with the span of text it concerns.
package struct SyntaxError: Error, Sendable {
  package var message: String
  package var range: SourceRange
}

/// Recursive-descent parser for CEL's grammar:
///
/// ```
/// Expr  = Or ["?" Or ":" Expr]      Or  = And {"||" And}      And = Rel {"&&" Rel}
/// Rel   = Add {relop Add}           Add = Mul {("+"|"-") Mul}  Mul = Unary {("*"|"/"|"%") Unary}
/// Unary = Member | "!"{"!"} Member | "-"{"-"} Member
/// Member = Primary {"." IDENT ["(" args ")"] | "[" Expr "]"}
/// ```
///
/// Nesting is limited (`maxDepth`), so hostile input cannot exhaust the stack.
package struct Parser {
  private var tokens: [Token]
  private var index = 0
  private var nextID = 0
  private var depth = 0
  private let maxDepth: Int

  /// Parses `source`; nesting deeper than `maxDepth` is a syntax error.
  package static func parse(_ source: String, maxDepth: Int = 64) throws(SyntaxError) -> (Expr, nodeCount: Int) {
    var lexer = Lexer(source)
    var parser = Parser(tokens: lexer.tokenize(), maxDepth: maxDepth)
    let expr = try parser.parseExpr()
    guard case .end = parser.current.kind else {
      throw parser.error("unexpected \(parser.describe(parser.current)) after the end of the expression")
    }
    return (expr, parser.nextID)
  }

  private init(tokens: [Token], maxDepth: Int) {
    self.tokens = tokens
    self.maxDepth = maxDepth
  }

  private var current: Token { tokens[index] }

  private mutating func advance() -> Token {
    let token = tokens[index]
    if index < tokens.count - 1 { index += 1 }
    return token
  }

  private func isPunct(_ p: String) -> Bool {
    if case .punct(let q) = current.kind { return q == p }
    return false
  }

  private mutating func accept(_ p: String) -> Bool {
    guard isPunct(p) else { return false }
    _ = advance()
    return true
  }

  private mutating func expect(_ p: String, _ context: String) throws(SyntaxError) -> Token {
    guard isPunct(p) else { throw error("expected '\(p)' \(context), found \(describe(current))") }
    return advance()
  }

  private func describe(_ token: Token) -> String {
    switch token.kind {
    case .identifier(let s): "'\(s.hasPrefix("`") ? String(s.dropFirst()) : s)'"
    case .int(let v): "'\(v)'"
    case .uint(let v): "'\(v)u'"
    case .double(let v): "'\(v)'"
    case .string: "a string"
    case .bytes: "a bytes literal"
    case .punct(let p), .keyword(let p): "'\(p)'"
    case .end: "the end of the expression"
    case .invalid(let m): m
    }
  }

  private func error(_ message: String, _ range: SourceRange? = nil) -> SyntaxError {
    if case .invalid(let m) = current.kind { return SyntaxError(message: m, range: current.range) }
    return SyntaxError(message: message, range: range ?? current.range)
  }

  private mutating func make(_ kind: Expr.Kind, _ range: SourceRange) -> Expr {
    defer { nextID += 1 }
    return Expr(id: nextID, kind: kind, range: range)
  }

  private mutating func enter() throws(SyntaxError) {
    depth += 1
    if depth > maxDepth {
      throw error("expression nests too deeply (more than \(maxDepth) levels); split it up")
    }
  }

  mutating func parseExpr() throws(SyntaxError) -> Expr {
    try enter()
    defer { depth -= 1 }
    let condition = try parseOr()
    guard accept("?") else { return condition }
    let then = try parseOr()
    _ = try expect(":", "in a conditional 'a ? b : c'")
    let otherwise = try parseExpr()
    return make(.conditional(condition, then, otherwise), condition.range.union(otherwise.range))
  }

  private mutating func parseOr() throws(SyntaxError) -> Expr {
    let saved = depth
    defer { depth = saved }
    var terms = [try parseAnd()]
    while accept("||") { terms.append(try parseAnd()) }
    return try balanced(terms) { .or($0, $1) }
  }

  private mutating func parseAnd() throws(SyntaxError) -> Expr {
    let saved = depth
    defer { depth = saved }
    var terms = [try parseRelation()]
    while accept("&&") { terms.append(try parseRelation()) }
    return try balanced(terms) { .and($0, $1) }
  }

  /// A chain of `&&` (or `||`) as a balanced tree: CEL's logical operators
  /// are commutative, errors included, so the grouping does not change the
  /// result, and 65 conditions nest 7 levels deep, not 65.
  private mutating func balanced(_ terms: [Expr], _ combine: (Expr, Expr) -> Expr.Kind) throws(SyntaxError) -> Expr {
    var level = terms
    while level.count > 1 {
      try enter()
      var next: [Expr] = []
      next.reserveCapacity((level.count + 1) / 2)
      for i in stride(from: 0, to: level.count, by: 2) {
        guard i + 1 < level.count else {
          next.append(level[i])
          break
        }
        next.append(make(combine(level[i], level[i + 1]), level[i].range.union(level[i + 1].range)))
      }
      level = next
    }
    return level[0]
  }

  private mutating func parseRelation() throws(SyntaxError) -> Expr {
    let saved = depth
    defer { depth = saved }
    var lhs = try parseAddition()
    while true {
      let op: BinaryOperator
      switch current.kind {
      case .punct("=="): op = .equal
      case .punct("!="): op = .notEqual
      case .punct("<"): op = .less
      case .punct("<="): op = .lessOrEqual
      case .punct(">"): op = .greater
      case .punct(">="): op = .greaterOrEqual
      case .keyword("in"): op = .in
      default: return lhs
      }
      _ = advance()
      try enter()
      let rhs = try parseAddition()
      lhs = make(.binary(op, lhs, rhs), lhs.range.union(rhs.range))
    }
  }

  private mutating func parseAddition() throws(SyntaxError) -> Expr {
    let saved = depth
    defer { depth = saved }
    var lhs = try parseMultiplication()
    while true {
      let op: BinaryOperator
      if isPunct("+") { op = .add } else if isPunct("-") { op = .subtract } else { return lhs }
      _ = advance()
      try enter()
      let rhs = try parseMultiplication()
      lhs = make(.binary(op, lhs, rhs), lhs.range.union(rhs.range))
    }
  }

  private mutating func parseMultiplication() throws(SyntaxError) -> Expr {
    let saved = depth
    defer { depth = saved }
    var lhs = try parseUnary()
    while true {
      let op: BinaryOperator
      if isPunct("*") {
        op = .multiply
      } else if isPunct("/") {
        op = .divide
      } else if isPunct("%") {
        op = .remainder
      } else {
        return lhs
      }
      _ = advance()
      try enter()
      let rhs = try parseUnary()
      lhs = make(.binary(op, lhs, rhs), lhs.range.union(rhs.range))
    }
  }

  private mutating func parseUnary() throws(SyntaxError) -> Expr {
    let start = current.range
    if isPunct("!") || isPunct("-") {
      let isNot = isPunct("!")
      var count = 0
      while isNot ? isPunct("!") : isPunct("-") {
        _ = advance()
        count += 1
      }
      try enter()
      defer { depth -= 1 }
      if !isNot, count % 2 == 1, case .int(let magnitude) = current.kind {
        // Fold `-<int literal>` so -9223372036854775808 is representable.
        let literalToken = advance()
        let range = start.union(literalToken.range)
        guard magnitude <= UInt64(Int64.max) + 1 else { throw error("integer literal is out of range", range) }
        let value: Int64 = magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        var folded = try parseMemberSuffixes(make(.literal(.int(value)), range))
        for _ in 0..<(count - 1) { folded = make(.unary(.negate, folded), start.union(folded.range)) }
        return folded
      }
      var operand = try parseMember()
      for _ in 0..<count {
        operand = make(.unary(isNot ? .not : .negate, operand), start.union(operand.range))
      }
      return operand
    }
    return try parseMember()
  }

  private mutating func parseMember() throws(SyntaxError) -> Expr {
    try parseMemberSuffixes(try parsePrimary())
  }

  private mutating func parseMemberSuffixes(_ base: Expr) throws(SyntaxError) -> Expr {
    var expr = base
    while true {
      if accept(".") {
        let nameToken = advance()
        guard case .identifier(var name) = nameToken.kind else {
          if case .keyword(let k) = nameToken.kind {
            expr = make(
              .select(operand: expr, field: k, fieldRange: nameToken.range, testOnly: false),
              expr.range.union(nameToken.range))
            continue
          }
          throw error("expected a field name after '.', found \(describe(nameToken))", nameToken.range)
        }
        let quoted = name.hasPrefix("`")
        if quoted { name.removeFirst() }
        if !quoted && isPunct("(") {
          _ = advance()
          let args = try parseArguments(closing: ")")
          let end = tokens[index - 1].range
          expr = try makeCall(name, target: expr, args: args, nameRange: nameToken.range, range: expr.range.union(end))
        } else {
          expr = make(
            .select(operand: expr, field: name, fieldRange: nameToken.range, testOnly: false),
            expr.range.union(nameToken.range))
        }
      } else if accept("[") {
        try enter()
        defer { depth -= 1 }
        let key = try parseExpr()
        let close = try expect("]", "to close the index")
        expr = make(.index(expr, key), expr.range.union(close.range))
      } else {
        return expr
      }
    }
  }

  private mutating func parseArguments(closing: String) throws(SyntaxError) -> [Expr] {
    try enter()
    defer { depth -= 1 }
    var args: [Expr] = []
    if accept(closing) { return args }
    repeat {
      if isPunct(closing) { break }  // trailing comma
      args.append(try parseExpr())
    } while accept(",")
    _ = try expect(closing, "to close the argument list")
    return args
  }

  private mutating func parsePrimary() throws(SyntaxError) -> Expr {
    let token = advance()
    switch token.kind {
    case .int(let v):
      guard v <= UInt64(Int64.max) else { throw error("integer literal \(v) is out of range for int", token.range) }
      return make(.literal(.int(Int64(v))), token.range)
    case .uint(let v): return make(.literal(.uint(v)), token.range)
    case .double(let v): return make(.literal(.double(v)), token.range)
    case .string(let s): return make(.literal(.string(s)), token.range)
    case .bytes: throw error("bytes literals are not supported", token.range)
    case .keyword("true"): return make(.literal(.bool(true)), token.range)
    case .keyword("false"): return make(.literal(.bool(false)), token.range)
    case .keyword("null"): return make(.literal(.null), token.range)
    case .identifier(let name):
      if name.hasPrefix("`") { throw error("quoted names are only allowed after '.'", token.range) }
      if Lexer.reserved.contains(name) { throw error("'\(name)' is a reserved word", token.range) }
      if accept("(") {
        let args = try parseArguments(closing: ")")
        let end = tokens[index - 1].range
        return try makeCall(name, target: nil, args: args, nameRange: token.range, range: token.range.union(end))
      }
      return make(.ident(name), token.range)
    case .punct("."):
      // A leading dot names the root scope: `.name` is the same as `name` here.
      let next = advance()
      guard case .identifier(let name) = next.kind else { throw error("expected a name after '.'", next.range) }
      return make(.ident(name), token.range.union(next.range))
    case .punct("("):
      let inner = try parseExpr()
      _ = try expect(")", "to close '('")
      return inner
    case .punct("["):
      let elements = try parseArguments(closing: "]")
      return make(.list(elements), token.range.union(tokens[index - 1].range))
    case .punct("{"):
      try enter()
      defer { depth -= 1 }
      var entries: [(key: Expr, value: Expr)] = []
      if !accept("}") {
        repeat {
          if isPunct("}") { break }
          let key = try parseExpr()
          _ = try expect(":", "between a map key and its value")
          entries.append((key, try parseExpr()))
        } while accept(",")
        _ = try expect("}", "to close the map")
      }
      return make(.map(entries), token.range.union(tokens[index - 1].range))
    case .end: throw error("the expression is empty or ends too early", token.range)
    default:
      index -= 1
      throw error("unexpected \(describe(token))", token.range)
    }
  }

  /// Builds a call, expanding the macros (`has`, `all`, `exists`, `exists_one`, `map`, `filter`).
  private mutating func makeCall(
    _ name: String, target: Expr?, args: [Expr], nameRange: SourceRange, range: SourceRange
  ) throws(SyntaxError) -> Expr {
    if target == nil, name == "has" {
      guard args.count == 1, case .select(let operand, let field, let fieldRange, _) = args[0].kind else {
        throw error("has() takes one field selection, e.g. has(event.minutes)", range)
      }
      return make(.select(operand: operand, field: field, fieldRange: fieldRange, testOnly: true), range)
    }
    // The CEL math extension's functions are namespaced: math.least(a, b) is one global function.
    if let target, case .ident("math") = target.kind {
      return make(.call(function: "math.\(name)", target: nil, args: args, nameRange: nameRange), range)
    }
    if let target, let macro = Comprehension.Macro(rawValue: name) {
      let expected = macro == .map ? [2, 3] : [2]
      if expected.contains(args.count) {
        guard case .ident(let variable) = args[0].kind else {
          throw error("the first argument of \(name)() must be a variable name, e.g. \(name)(x, ...)", args[0].range)
        }
        let comprehension: Comprehension
        switch (macro, args.count) {
        case (.map, 2):
          comprehension = Comprehension(macro: macro, range: target, variable: variable, transform: args[1])
        case (.map, _):
          comprehension = Comprehension(
            macro: macro, range: target, variable: variable, predicate: args[1], transform: args[2])
        default: comprehension = Comprehension(macro: macro, range: target, variable: variable, predicate: args[1])
        }
        return make(.comprehension(comprehension), range)
      }
    }
    return make(.call(function: name, target: target, args: args, nameRange: nameRange), range)
  }
}
