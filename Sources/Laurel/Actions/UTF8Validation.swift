/// Checks that bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), eight ASCII bytes at a time.
///
/// Action lines are validated whole before they are parsed: repairing bad
/// bytes to U+FFFD (what `String(decoding:)` does) would make ids, users
/// and once-per keys that differ in their bad bytes collide.
enum UTF8Validation {
  /// The offset of the first byte that is not part of a well-formed sequence, or nil.
  static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let base = bytes.baseAddress else { return nil }
    let count = bytes.count
    var i = 0
    while i < count {
      // Fast path: eight ASCII bytes at once.
      if i + 8 <= count, UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
        i += 8
        continue
      }
      let b0 = base[i]
      if b0 < 0x80 {
        i += 1
        continue
      }
      let length: Int
      var low: UInt8 = 0x80
      var high: UInt8 = 0xBF
      switch b0 {
      case 0xC2...0xDF: length = 2
      case 0xE0: length = 3; low = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF: length = 3
      case 0xED: length = 3; high = 0x9F  // no surrogates
      case 0xF0: length = 4; low = 0x90
      case 0xF1...0xF3: length = 4
      case 0xF4: length = 4; high = 0x8F  // nothing above U+10FFFF
      default: return i
      }
      guard i + length <= count else { return i }
      let b1 = base[i + 1]
      guard b1 >= low && b1 <= high else { return i }
      for k in 2..<length where base[i + k] & 0xC0 != 0x80 { return i }
      i += length
    }
    return nil
  }
}
