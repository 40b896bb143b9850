/// A parsed regular expression in RE2's syntax (what CEL's `matches`
/// specifies): literals, `.`, classes (`[a-z]`, `[^…]`, `\d \w \s` and their
/// negations, `[:alpha:]`), groups (`(…)`, `(?:…)`, `(?P<name>…)`), flags
/// `i`, `m`, `s` (`(?i)` and `(?i:…)`), alternation, repetition (`* + ?`,
/// `{n}`, `{n,}`, `{n,m}` up to 1000, lazy forms), anchors (`^ $ \A \z`) and
/// word boundaries (`\b \B`). Back-references and look-around, which no
/// linear-time matcher can offer, are errors, as in RE2.
indirect enum RegexNode {
  case empty
  case set(ScalarSet)
  case concat([RegexNode])
  case alternate([RegexNode])
  /// `max` nil: unbounded.
  case repetition(RegexNode, min: Int, max: Int?)
  case assertion(RegexAssertion)
}

enum RegexAssertion {
  case textStart, textEnd, lineStart, lineEnd, wordBoundary, notWordBoundary
}

/// Unicode scalars as sorted ranges, optionally negated and case-folded.
struct ScalarSet {
  var ranges: [ClosedRange<UInt32>] = []
  var negated = false
  /// Matches a scalar whose simple lower- or uppercase form is in the set.
  var folded = false

  static func single(_ scalar: Unicode.Scalar) -> ScalarSet { ScalarSet(ranges: [scalar.value...scalar.value]) }

  func contains(_ scalar: Unicode.Scalar) -> Bool {
    var found = Self.contains(ranges, scalar.value)
    if !found && folded {
      found = Self.variants(of: scalar).contains { Self.contains(ranges, $0.value) }
    }
    return found != negated
  }

  private static func contains(_ ranges: [ClosedRange<UInt32>], _ value: UInt32) -> Bool {
    for range in ranges where range.contains(value) { return true }
    return false
  }

  /// The scalar's simple (one-scalar) lower- and uppercase forms.
  static func variants(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
    if scalar.isASCII {
      let v = scalar.value
      if v >= 0x41 && v <= 0x5A { return [Unicode.Scalar(v + 32)!] }
      if v >= 0x61 && v <= 0x7A { return [Unicode.Scalar(v - 32)!] }
      return []
    }
    var out: [Unicode.Scalar] = []
    for mapping in [scalar.properties.lowercaseMapping, scalar.properties.uppercaseMapping] {
      let scalars = mapping.unicodeScalars
      if scalars.count == 1, let only = scalars.first, only != scalar { out.append(only) }
    }
    return out
  }

  static let digits = ScalarSet(ranges: [0x30...0x39])
  static let word = ScalarSet(ranges: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
  static let space = ScalarSet(ranges: [0x09...0x0A, 0x0C...0x0D, 0x20...0x20])

  static func isWord(_ scalar: Unicode.Scalar?) -> Bool { scalar.map { word.contains($0) } ?? false }
}

/// Why a pattern was refused.
struct RegexSyntaxError: Error {
  var message: String
}

/// A recursive-descent parser for ``RegexNode``.
struct RegexParser {
  private let scalars: [Unicode.Scalar]
  private var position = 0
  private var flags = (caseInsensitive: false, multiLine: false, dotAll: false)
  private var depth = 0

  /// The most a `{n,m}` may count, as in RE2.
  static let maxRepeat = 1000

  init(_ pattern: String) { scalars = Array(pattern.unicodeScalars) }

  static func parse(_ pattern: String) throws(RegexSyntaxError) -> RegexNode {
    var parser = RegexParser(pattern)
    let node = try parser.alternation()
    guard parser.position == parser.scalars.count else { throw RegexSyntaxError(message: "unexpected )") }
    return node
  }

  private var atEnd: Bool { position >= scalars.count }
  private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
    position + offset < scalars.count ? scalars[position + offset] : nil
  }

  private mutating func alternation() throws(RegexSyntaxError) -> RegexNode {
    depth += 1
    defer { depth -= 1 }
    guard depth < 200 else { throw RegexSyntaxError(message: "the pattern nests too deeply") }
    var branches = [try concatenation()]
    while peek() == "|" {
      position += 1
      branches.append(try concatenation())
    }
    return branches.count == 1 ? branches[0] : .alternate(branches)
  }

  private mutating func concatenation() throws(RegexSyntaxError) -> RegexNode {
    var items: [RegexNode] = []
    while let c = peek(), c != "|", c != ")" {
      var atom = try self.atom()
      if let (min, max) = try quantifier() {
        atom = .repetition(atom, min: min, max: max)
        let before = position
        if try quantifier() != nil {
          throw RegexSyntaxError(
            message: "bad repetition operator: \(String(String.UnicodeScalarView(scalars[before..<position])))")
        }
      }
      items.append(atom)
    }
    return items.count == 1 ? items[0] : items.isEmpty ? .empty : .concat(items)
  }

  /// A quantifier after an atom (and its lazy `?`, which a yes/no match ignores).
  private mutating func quantifier() throws(RegexSyntaxError) -> (Int, Int?)? {
    let result: (Int, Int?)
    switch peek() {
    case "*": position += 1; result = (0, nil)
    case "+": position += 1; result = (1, nil)
    case "?": position += 1; result = (0, 1)
    case "{":
      guard let counted = countedRepetition() else { return nil }
      guard counted.0 <= Self.maxRepeat, (counted.1 ?? 0) <= Self.maxRepeat, counted.1.map({ $0 >= counted.0 }) ?? true
      else {
        throw RegexSyntaxError(
          message: "bad repetition operator: counts go from 0 to \(Self.maxRepeat), the second no lower than the first")
      }
      result = counted
    default: return nil
    }
    if peek() == "?" { position += 1 }
    return result
  }

  /// `{n}`, `{n,}` or `{n,m}`; nil (and nothing consumed) when `{` starts none, as in RE2.
  private mutating func countedRepetition() -> (Int, Int?)? {
    var i = position + 1
    func number() -> Int? {
      var value = 0
      let start = i
      while i < scalars.count, scalars[i].value >= 0x30 && scalars[i].value <= 0x39 {
        value = min(value * 10 + Int(scalars[i].value - 0x30), 100_000)
        i += 1
      }
      return i > start ? value : nil
    }
    guard let low = number() else { return nil }
    var high: Int? = low
    if i < scalars.count && scalars[i] == "," {
      i += 1
      high = number()
    }
    guard i < scalars.count && scalars[i] == "}" else { return nil }
    position = i + 1
    return (low, high)
  }

  private mutating func atom() throws(RegexSyntaxError) -> RegexNode {
    let c = scalars[position]
    position += 1
    switch c {
    case "(": return try group()
    case "[": return .set(try characterClass())
    case ".":
      return .set(flags.dotAll ? ScalarSet(negated: true) : ScalarSet(ranges: [0x0A...0x0A], negated: true))
    case "^": return .assertion(flags.multiLine ? .lineStart : .textStart)
    case "$": return .assertion(flags.multiLine ? .lineEnd : .textEnd)
    case "\\": return try escape()
    case "*", "+", "?": throw RegexSyntaxError(message: "missing argument to repetition operator: \(c)")
    default: return .set(literal(c))
    }
  }

  private func literal(_ c: Unicode.Scalar) -> ScalarSet {
    var set = ScalarSet.single(c)
    set.folded = flags.caseInsensitive
    return set
  }

  /// After `(`. Flags set inside a group last until its end; `(?i)` alone
  /// sets them for the rest of the enclosing group.
  private mutating func group() throws(RegexSyntaxError) -> RegexNode {
    let saved = flags
    if peek() == "?" {
      position += 1
      if peek() == "P" || (peek() == "<" && peek(1) != "=" && peek(1) != "!") {
        // A named group: (?P<name>…) or (?<name>…).
        if peek() == "P" { position += 1 }
        guard peek() == "<" else { throw RegexSyntaxError(message: "invalid named capture") }
        while let c = peek(), c != ">" { position += 1 }
        guard peek() == ">" else { throw RegexSyntaxError(message: "invalid named capture") }
        position += 1
      } else {
        var on = true
        var sawFlag = false
        flagLoop: while let c = peek() {
          position += 1
          switch c {
          case "i": flags.caseInsensitive = on; sawFlag = true
          case "m": flags.multiLine = on; sawFlag = true
          case "s": flags.dotAll = on; sawFlag = true
          case "U": sawFlag = true  // ungreedy: no effect on whether a match exists
          case "-" where on: on = false
          case ":": break flagLoop
          case ")":
            guard sawFlag else { throw RegexSyntaxError(message: "missing flags in (?)") }
            return .empty  // the flags stay set: the enclosing group restores them
          default:
            throw RegexSyntaxError(
              message: "invalid or unsupported group syntax (?\(c) (look-around is not available in RE2)")
          }
        }
      }
    }
    let inner = try alternation()
    guard peek() == ")" else { throw RegexSyntaxError(message: "missing )") }
    position += 1
    flags = saved
    return inner
  }

  private mutating func escape() throws(RegexSyntaxError) -> RegexNode {
    guard let c = peek() else { throw RegexSyntaxError(message: "trailing backslash at end of expression") }
    position += 1
    switch c {
    case "A": return .assertion(.textStart)
    case "z": return .assertion(.textEnd)
    case "b": return .assertion(.wordBoundary)
    case "B": return .assertion(.notWordBoundary)
    default:
      position -= 1
      return .set(try escapedSet())
    }
  }

  /// An escape that stands for scalars (after the backslash), in or out of a class.
  private mutating func escapedSet() throws(RegexSyntaxError) -> ScalarSet {
    let c = scalars[position]
    position += 1
    switch c {
    case "d": return .digits
    case "D": return ScalarSet(ranges: ScalarSet.digits.ranges, negated: true)
    case "w": return .word
    case "W": return ScalarSet(ranges: ScalarSet.word.ranges, negated: true)
    case "s": return .space
    case "S": return ScalarSet(ranges: ScalarSet.space.ranges, negated: true)
    case "n": return .single("\n")
    case "t": return .single("\t")
    case "r": return .single("\r")
    case "f": return .single("\u{0C}")
    case "v": return .single("\u{0B}")
    case "a": return .single("\u{07}")
    case "x": return .single(try hexEscape())
    default:
      if c.isASCII && !c.properties.isAlphabetic && !(c.value >= 0x30 && c.value <= 0x39) {
        return literal(c)  // \. \* \\ \( …
      }
      throw RegexSyntaxError(message: "invalid or unsupported escape sequence \\\(c)")
    }
  }

  private mutating func hexEscape() throws(RegexSyntaxError) -> Unicode.Scalar {
    var digits = ""
    if peek() == "{" {
      position += 1
      while let c = peek(), c != "}" { digits.unicodeScalars.append(c); position += 1 }
      guard peek() == "}" else { throw RegexSyntaxError(message: "invalid escape sequence \\x{") }
      position += 1
    } else {
      for _ in 0..<2 {
        guard let c = peek() else { break }
        digits.unicodeScalars.append(c)
        position += 1
      }
    }
    guard digits.count <= 8, let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) else {
      throw RegexSyntaxError(message: "invalid escape sequence \\x\(digits)")
    }
    return scalar
  }

  private static let posixClasses: [String: [ClosedRange<UInt32>]] = [
    "alpha": [0x41...0x5A, 0x61...0x7A], "digit": [0x30...0x39], "alnum": [0x30...0x39, 0x41...0x5A, 0x61...0x7A],
    "upper": [0x41...0x5A], "lower": [0x61...0x7A], "space": [0x09...0x0D, 0x20...0x20],
    "xdigit": [0x30...0x39, 0x41...0x46, 0x61...0x66], "word": ScalarSet.word.ranges,
    "punct": [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E], "blank": [0x09...0x09, 0x20...0x20],
    "cntrl": [0x00...0x1F, 0x7F...0x7F], "print": [0x20...0x7E], "graph": [0x21...0x7E], "ascii": [0x00...0x7F],
  ]

  /// After `[`: ranges up to the closing `]`.
  private mutating func characterClass() throws(RegexSyntaxError) -> ScalarSet {
    var set = ScalarSet()
    set.folded = flags.caseInsensitive
    if peek() == "^" {
      position += 1
      set.negated = true
    }
    var first = true
    while true {
      guard let c = peek() else { throw RegexSyntaxError(message: "missing closing ]") }
      if c == "]" && !first { position += 1; break }
      first = false
      if c == "[" && peek(1) == ":" {
        var end = position + 2
        while end < scalars.count && scalars[end] != ":" { end += 1 }
        let name = String(String.UnicodeScalarView(scalars[(position + 2)..<min(end, scalars.count)]))
        guard end + 1 < scalars.count, scalars[end + 1] == "]", let ranges = Self.posixClasses[name] else {
          throw RegexSyntaxError(message: "invalid character class range [:\(name)")
        }
        set.ranges += ranges
        position = end + 2
        continue
      }
      let low: Unicode.Scalar
      position += 1
      if c == "\\" {
        guard !atEnd else { throw RegexSyntaxError(message: "missing closing ]") }
        let escaped = try escapedSet()
        if escaped.negated || escaped.ranges.count != 1 || escaped.ranges[0].count != 1 {
          guard !escaped.negated else {
            throw RegexSyntaxError(message: "negated classes like \\D inside [...] are not supported")
          }
          set.ranges += escaped.ranges
          continue
        }
        low = Unicode.Scalar(escaped.ranges[0].lowerBound)!
      } else {
        low = c
      }
      if peek() == "-", let next = peek(1), next != "]" {
        position += 1
        var high = next
        position += 1
        if next == "\\" {
          guard !atEnd else { throw RegexSyntaxError(message: "missing closing ]") }
          let escaped = try escapedSet()
          guard !escaped.negated, escaped.ranges.count == 1, escaped.ranges[0].count == 1 else {
            throw RegexSyntaxError(message: "invalid character class range")
          }
          high = Unicode.Scalar(escaped.ranges[0].lowerBound)!
        }
        guard low.value <= high.value else {
          throw RegexSyntaxError(message: "invalid character class range \(low)-\(high)")
        }
        set.ranges.append(low.value...high.value)
      } else {
        set.ranges.append(low.value...low.value)
      }
    }
    return set
  }
}
