import LaurelExpression

/// A strict, allocation-light JSON reader over UTF-8 bytes, for action lines.
///
/// Action histories are millions of small objects; Foundation's decoders cost
/// microseconds each, this reads one in a few hundred nanoseconds. Nested
/// values become CEL ``Value``s (integers without a fraction or exponent are
/// `int`, other numbers `double`).
struct JSONScanner {
  let bytes: UnsafeBufferPointer<UInt8>
  var index = 0

  init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  struct Failure: Error {
    var message: String
    var offset: Int
  }

  func fail(_ message: String) -> Failure { Failure(message: message, offset: index) }

  @inline(__always)
  mutating func skipSpace() {
    while index < bytes.count {
      let b = bytes[index]
      guard b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { return }
      index += 1
    }
  }

  var atEnd: Bool { index >= bytes.count }

  @inline(__always)
  mutating func consume(_ byte: UInt8) -> Bool {
    skipSpace()
    guard index < bytes.count, bytes[index] == byte else { return false }
    index += 1
    return true
  }

  mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
    guard consume(byte) else { throw fail("expected \(what)") }
  }

  /// Reads a string's raw byte range when it has no escapes (the common case),
  /// else decodes it. Returns the range for fast key comparison.
  mutating func stringBytes() throws(Failure) -> (range: Range<Int>, decoded: String?) {
    skipSpace()
    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string") }
    index += 1
    let start = index
    while index < bytes.count {
      let b = bytes[index]
      if b == UInt8(ascii: "\"") {
        index += 1
        return (start..<(index - 1), nil)
      }
      if b == UInt8(ascii: "\\") { return (start..<start, try decodeEscaped(from: start)) }
      if b < 0x20 { throw fail("control character in string") }
      index += 1
    }
    throw fail("unterminated string")
  }

  mutating func string() throws(Failure) -> String {
    let (range, decoded) = try stringBytes()
    if let decoded { return decoded }
    return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }

  private mutating func decodeEscaped(from start: Int) throws(Failure) -> String {
    var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<index]))
    while index < bytes.count {
      let b = bytes[index]
      index += 1
      switch b {
      case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard index < bytes.count else { throw fail("unterminated escape") }
        let e = bytes[index]
        index += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xD800..<0xDC00).contains(scalar) {
            guard consumeRaw("\\u") else { throw fail("unpaired surrogate") }
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          }
          guard let s = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
          out.append(contentsOf: String(Character(s)).utf8)
        default: throw fail("invalid escape")
        }
      default:
        if b < 0x20 { throw fail("control character in string") }
        out.append(b)
      }
    }
    throw fail("unterminated string")
  }

  private mutating func consumeRaw(_ s: StaticString) -> Bool {
    let n = s.utf8CodeUnitCount
    guard index + n <= bytes.count else { return false }
    for i in 0..<n where bytes[index + i] != s.utf8Start[i] { return false }
    index += n
    return true
  }

  private mutating func hex4() throws(Failure) -> UInt32 {
    guard index + 4 <= bytes.count else { throw fail("short \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let b = bytes[index]
      index += 1
      let d: UInt32
      switch b {
      case 48...57: d = UInt32(b - 48)
      case 65...70: d = UInt32(b - 55)
      case 97...102: d = UInt32(b - 87)
      default: throw fail("invalid hex digit")
      }
      v = v * 16 + d
    }
    return v
  }

  /// Reads any JSON value as a CEL value; `depth` bounds nesting.
  mutating func value(depth: Int = 0) throws(Failure) -> Value {
    guard depth < 64 else { throw fail("JSON nests too deeply") }
    skipSpace()
    guard index < bytes.count else { throw fail("expected a value") }
    switch bytes[index] {
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "{"):
      index += 1
      var pairs: [(MapKey, Value)] = []
      if consume(UInt8(ascii: "}")) { return .map(MapValue()) }
      repeat {
        let key = try string()
        try expect(UInt8(ascii: ":"), "':'")
        pairs.append((.string(key), try value(depth: depth + 1)))
      } while consume(UInt8(ascii: ","))
      try expect(UInt8(ascii: "}"), "'}'")
      do { return .map(try MapValue(pairs)) } catch { throw fail("duplicate key in object") }
    case UInt8(ascii: "["):
      index += 1
      var items: [Value] = []
      if consume(UInt8(ascii: "]")) { return .list(items) }
      repeat { items.append(try value(depth: depth + 1)) } while consume(UInt8(ascii: ","))
      try expect(UInt8(ascii: "]"), "']'")
      return .list(items)
    case UInt8(ascii: "t"):
      guard consumeRaw("true") else { throw fail("invalid literal") }
      return .bool(true)
    case UInt8(ascii: "f"):
      guard consumeRaw("false") else { throw fail("invalid literal") }
      return .bool(false)
    case UInt8(ascii: "n"):
      guard consumeRaw("null") else { throw fail("invalid literal") }
      return .null
    default: return try number()
    }
  }

  private mutating func number() throws(Failure) -> Value {
    let start = index
    var negative = false
    if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
      negative = true
      index += 1
    }
    var magnitude: UInt64 = 0
    var digits = 0
    var overflow = false
    while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
      let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(UInt64(bytes[index] - 48))
      overflow = overflow || o1 || o2
      magnitude = a
      digits += 1
      index += 1
    }
    guard digits > 0 else { throw fail("expected a value") }
    var isInteger = true
    if index < bytes.count,
      bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")
    {
      isInteger = false
      index += 1
      while index < bytes.count, (48...57).contains(bytes[index]) || [43, 45, 69, 101, 46].contains(bytes[index]) {
        index += 1
      }
    }
    if isInteger && !overflow {
      if negative {
        guard magnitude <= UInt64(Int64.max) + 1 else { throw fail("integer out of range") }
        return .int(magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude))
      }
      guard magnitude <= UInt64(Int64.max) else { throw fail("integer out of range") }
      return .int(Int64(magnitude))
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    guard let d = Double(text) else { throw fail("invalid number") }
    guard d.isFinite else { throw Failure(message: "number \(text) is too large", offset: start) }
    return .double(d)
  }

  /// Skips a value of any kind.
  mutating func skipValue() throws(Failure) { _ = try value() }

  /// Whether the bytes in `range` equal `name`.
  @inline(__always)
  func equals(_ range: Range<Int>, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
    guard range.count == name.count else { return false }
    var i = range.lowerBound
    for b in name {
      if bytes[i] != b { return false }
      i += 1
    }
    return true
  }

  /// Whether the bytes in `range` equal `name`.
  @inline(__always)
  func equals(_ range: Range<Int>, _ name: [UInt8]) -> Bool {
    name.withUnsafeBufferPointer { equals(range, $0) }
  }
}
