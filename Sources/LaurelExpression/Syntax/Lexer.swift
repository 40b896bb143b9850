/// Splits an expression into tokens. Works on Unicode scalars, so token ranges
/// are scalar offsets that map directly to columns.
struct Lexer {
  private let text: [Unicode.Scalar]
  private var position = 0

  init(_ source: String) { text = Array(source.unicodeScalars) }

  static let reserved: Set<String> = [
    "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
    "package", "namespace", "return", "var", "void", "while",
  ]

  mutating func tokenize() -> [Token] {
    var tokens: [Token] = []
    while true {
      let token = next()
      tokens.append(token)
      if case .end = token.kind { return tokens }
      if case .invalid = token.kind { tokens.append(Token(kind: .end, range: token.range)); return tokens }
    }
  }

  private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
    position + offset < text.count ? text[position + offset] : nil
  }

  private mutating func next() -> Token {
    skipSpaceAndComments()
    let start = position
    guard let c = peek() else { return Token(kind: .end, range: SourceRange(start: start, end: start)) }
    func token(_ kind: Token.Kind) -> Token { Token(kind: kind, range: SourceRange(start: start, end: position)) }

    if c == "_" || c.properties.isAlphabetic && c.isASCII {
      // raw / bytes string prefixes
      if (c == "r" || c == "R" || c == "b" || c == "B"), let q = peek(1), q == "\"" || q == "'" {
        let isBytes = c == "b" || c == "B"
        position += 1
        let lit = lexString(raw: !isBytes)
        if isBytes, case .string = lit.kind {
          return Token(kind: .bytes, range: SourceRange(start: start, end: position))
        }
        return Token(kind: lit.kind, range: SourceRange(start: start, end: position))
      }
      while let d = peek(), d == "_" || (d.isASCII && (d.properties.isAlphabetic || d.properties.numericType != nil)) {
        position += 1
      }
      let word = String(String.UnicodeScalarView(text[start..<position]))
      switch word {
      case "true", "false", "null", "in": return token(.keyword(word))
      default: return token(.identifier(word))
      }
    }
    if c.isASCII && c.properties.numericType != nil || (c == "." && peek(1).map(isDigit) == true) {
      return lexNumber(start: start)
    }
    if c == "\"" || c == "'" { return lexString(raw: false) }
    if c == "`" {
      position += 1
      let nameStart = position
      while let d = peek(), d != "`", d != "\n" { position += 1 }
      guard peek() == "`" else { return token(.invalid("unterminated quoted field name")) }
      let name = String(String.UnicodeScalarView(text[nameStart..<position]))
      position += 1
      return token(.identifier("`" + name))
    }
    let two = peek(1).map { String(c) + String($0) } ?? ""
    if ["==", "!=", "<=", ">=", "&&", "||"].contains(two) {
      position += 2
      return token(.punct(two))
    }
    if "+-*/%<>!?:.,()[]{}".unicodeScalars.contains(c) {
      position += 1
      return token(.punct(String(c)))
    }
    if c == "=" { position += 1; return token(.invalid("unexpected '=': did you mean '=='?")) }
    if c == "&" || c == "|" {
      position += 1
      return token(.invalid("unexpected '\(c)': did you mean '\(c)\(c)'?"))
    }
    position += 1
    return token(.invalid("unexpected character '\(c)'"))
  }

  private func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }
  private func isHex(_ c: Unicode.Scalar) -> Bool { c.properties.isASCIIHexDigit }

  private mutating func skipSpaceAndComments() {
    while let c = peek() {
      if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" {
        position += 1
      } else if c == "/", peek(1) == "/" {
        while let d = peek(), d != "\n" { position += 1 }
      } else {
        return
      }
    }
  }

  private mutating func lexNumber(start: Int) -> Token {
    func token(_ kind: Token.Kind) -> Token { Token(kind: kind, range: SourceRange(start: start, end: position)) }
    if peek() == "0", peek(1) == "x" || peek(1) == "X" {
      position += 2
      let digitsStart = position
      while let c = peek(), isHex(c) { position += 1 }
      let digits = String(String.UnicodeScalarView(text[digitsStart..<position]))
      guard let value = UInt64(digits, radix: 16) else { return token(.invalid("invalid hex literal")) }
      if peek() == "u" || peek() == "U" { position += 1; return token(.uint(value)) }
      return token(.int(value))
    }
    var isFloat = false
    while let c = peek(), isDigit(c) { position += 1 }
    if peek() == ".", let d = peek(1), isDigit(d) {
      isFloat = true
      position += 1
      while let c = peek(), isDigit(c) { position += 1 }
    }
    if peek() == "e" || peek() == "E" {
      var look = 1
      if peek(1) == "+" || peek(1) == "-" { look = 2 }
      if let d = peek(look), isDigit(d) {
        isFloat = true
        position += look
        while let c = peek(), isDigit(c) { position += 1 }
      }
    }
    let literal = String(String.UnicodeScalarView(text[start..<position]))
    if isFloat {
      guard let d = Double(literal) else { return token(.invalid("invalid number '\(literal)'")) }
      return token(.double(d))
    }
    guard let value = UInt64(literal) else { return token(.invalid("integer literal '\(literal)' is too large")) }
    if peek() == "u" || peek() == "U" { position += 1; return token(.uint(value)) }
    return token(.int(value))
  }

  /// Lexes a quoted string starting at the quote; handles triple quotes, raw strings and escapes.
  private mutating func lexString(raw: Bool) -> Token {
    let start = raw ? position - 1 : position
    let quote = peek()!
    let triple = peek(1) == quote && peek(2) == quote
    position += triple ? 3 : 1
    var out = String.UnicodeScalarView()
    func fail(_ message: String) -> Token {
      Token(kind: .invalid(message), range: SourceRange(start: start, end: position))
    }
    while true {
      guard let c = peek() else { return fail("unterminated string literal") }
      if triple {
        if c == quote, peek(1) == quote, peek(2) == quote { position += 3; break }
      } else {
        if c == quote { position += 1; break }
        if c == "\n" || c == "\r" { return fail("newline in string literal; use ''' or \"\"\" for multi-line strings") }
      }
      if c == "\\" && !raw {
        position += 1
        guard let e = peek() else { return fail("unterminated escape sequence") }
        position += 1
        switch e {
        case "a": out.append("\u{07}")
        case "b": out.append("\u{08}")
        case "f": out.append("\u{0C}")
        case "n": out.append("\n")
        case "r": out.append("\r")
        case "t": out.append("\t")
        case "v": out.append("\u{0B}")
        case "\\", "?", "\"", "'", "`": out.append(e)
        case "x", "X", "u", "U":
          let count = e == "u" ? 4 : e == "U" ? 8 : 2
          var value: UInt32 = 0
          for _ in 0..<count {
            guard let h = peek(), isHex(h) else { return fail("invalid \\\(e) escape") }
            value = value * 16 + UInt32(String(h), radix: 16)!
            position += 1
          }
          guard let scalar = Unicode.Scalar(value) else { return fail("invalid code point in escape") }
          out.append(scalar)
        case "0"..."3":
          var value = e.value - 48
          for _ in 0..<2 {
            guard let o = peek(), o.value >= 48, o.value <= 55 else { return fail("invalid octal escape") }
            value = value * 8 + (o.value - 48)
            position += 1
          }
          out.append(Unicode.Scalar(value)!)
        default:
          return fail("invalid escape sequence '\\\(e)'")
        }
        continue
      }
      out.append(c)
      position += 1
    }
    return Token(kind: .string(String(out)), range: SourceRange(start: start, end: position))
  }
}
