import LaurelExpression

/// A compact binary form of ``MemberState`` for stores: varints (zigzag for
/// signed values) and length-prefixed UTF-8, in field order, behind a format
/// byte. About a tenth of the JSON form's size and cost; keys of maps are
/// written sorted, so equal states encode to equal bytes.
extension MemberState {
  /// The format byte written first; a store refuses bytes with another.
  static let binaryFormat: UInt8 = 1

  /// Why bytes could not be read back as a member state.
  public struct DecodingError: Error, CustomStringConvertible {
    public var description: String
  }

  /// Appends the binary form of this state to `out` (reusing its storage).
  @_spi(StoreAdapter) public func encode(into out: inout [UInt8]) {
    var w = BinaryWriter(out: [])
    swap(&w.out, &out)
    w.byte(Self.binaryFormat)
    w.count(balances.count)
    for b in balances { w.signed(b) }
    w.count(tiers.count)
    for t in tiers { w.signed(Int64(t)) }
    w.count(traits.count)
    for trait in traits { w.optionalString(trait) }
    w.count(counters.count)
    for c in counters {
      w.signed(c.window)
      w.signed(c.total)
      w.map(c.byKey)
    }
    w.count(progress.count)
    for p in progress { w.map(p.mapValues(Int64.init)) }
    w.count(streaks.count)
    for s in streaks {
      w.signed(s.lastWindow)
      w.signed(s.length)
      w.signed(s.longest)
    }
    w.count(badges.count)
    for b in badges {
      w.count(b.badge)
      w.optionalString(b.key)
      w.signed(b.at.seconds)
      w.signed(Int64(b.at.nanos))
    }
    w.count(bonusWindows.count)
    for b in bonusWindows { w.signed(b) }
    w.count(capUsage.count)
    for c in capUsage {
      w.signed(c.window)
      w.signed(c.used)
    }
    w.count(cooldowns.count)
    for (rule, at) in cooldowns.sorted(by: { $0.key < $1.key }) {
      w.count(rule)
      w.signed(at)
    }
    swap(&w.out, &out)
  }

  /// Reads a state written by ``encode(into:)``.
  @_spi(StoreAdapter) public init(binary bytes: UnsafeRawBufferPointer) throws(DecodingError) {
    var r = BinaryReader(bytes: bytes)
    guard try r.byte() == Self.binaryFormat else {
      throw DecodingError(description: "member state has an unknown format")
    }
    self.init(balances: [], tiers: [], traits: [])
    for _ in 0..<(try r.count()) { balances.append(try r.signed()) }
    for _ in 0..<(try r.count()) { tiers.append(Int32(truncatingIfNeeded: try r.signed())) }
    for _ in 0..<(try r.count()) { traits.append(try r.optionalString()) }
    for _ in 0..<(try r.count()) {
      var c = CounterState()
      c.window = try r.signed()
      c.total = try r.signed()
      c.byKey = try r.map()
      counters.append(c)
    }
    for _ in 0..<(try r.count()) { progress.append(try r.map().mapValues { Int32(truncatingIfNeeded: $0) }) }
    for _ in 0..<(try r.count()) {
      var s = StreakState()
      s.lastWindow = try r.signed()
      s.length = try r.signed()
      s.longest = try r.signed()
      streaks.append(s)
    }
    for _ in 0..<(try r.count()) {
      let badge = try r.count()
      let key = try r.optionalString()
      let seconds = try r.signed()
      let nanos = try r.signed()
      guard let at = try? Timestamp(seconds: seconds, nanos: Int32(truncatingIfNeeded: nanos)) else {
        throw DecodingError(description: "member state has a badge time out of range")
      }
      badges.append(EarnedBadge(badge: badge, key: key, at: at))
    }
    for _ in 0..<(try r.count()) { bonusWindows.append(try r.signed()) }
    for _ in 0..<(try r.count()) { capUsage.append(CapUsage(window: try r.signed(), used: try r.signed())) }
    for _ in 0..<(try r.count()) {
      let rule = try r.count()
      cooldowns[rule] = try r.signed()
    }
    guard r.isAtEnd else { throw DecodingError(description: "member state has trailing bytes") }
  }
}

private struct BinaryWriter {
  var out: [UInt8]

  mutating func byte(_ b: UInt8) { out.append(b) }

  mutating func unsigned(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      out.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    out.append(UInt8(v))
  }

  mutating func signed(_ value: Int64) { unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }
  mutating func count(_ n: Int) { unsigned(UInt64(n)) }

  mutating func string(_ s: String) {
    var s = s
    s.withUTF8 { bytes in
      count(bytes.count)
      out.append(contentsOf: bytes)
    }
  }

  mutating func optionalString(_ s: String?) {
    if let s {
      byte(1)
      string(s)
    } else {
      byte(0)
    }
  }

  mutating func map(_ m: [String: Int64]) {
    count(m.count)
    for (key, value) in m.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
      string(key)
      signed(value)
    }
  }
}

private struct BinaryReader {
  let bytes: UnsafeRawBufferPointer
  var position = 0

  var isAtEnd: Bool { position == bytes.count }

  static let truncated = MemberState.DecodingError(description: "member state is truncated")

  mutating func byte() throws(MemberState.DecodingError) -> UInt8 {
    guard position < bytes.count else { throw Self.truncated }
    defer { position += 1 }
    return bytes[position]
  }

  mutating func unsigned() throws(MemberState.DecodingError) -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      let b = try byte()
      guard shift < 64 else { throw MemberState.DecodingError(description: "member state has an overlong number") }
      value |= UInt64(b & 0x7F) << shift
      if b < 0x80 { return value }
      shift += 7
    }
  }

  mutating func signed() throws(MemberState.DecodingError) -> Int64 {
    let v = try unsigned()
    return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
  }

  mutating func count() throws(MemberState.DecodingError) -> Int {
    let n = try unsigned()
    // Every element takes at least one byte, so a count beyond the rest is corrupt.
    guard n <= UInt64(bytes.count - position) else { throw Self.truncated }
    return Int(n)
  }

  mutating func string() throws(MemberState.DecodingError) -> String {
    let n = try count()
    guard n <= bytes.count - position else { throw Self.truncated }
    defer { position += n }
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<position + n]), as: UTF8.self)
  }

  mutating func optionalString() throws(MemberState.DecodingError) -> String? {
    try byte() == 0 ? nil : try string()
  }

  mutating func map() throws(MemberState.DecodingError) -> [String: Int64] {
    var m: [String: Int64] = [:]
    for _ in 0..<(try count()) {
      let key = try string()
      m[key] = try signed()
    }
    return m
  }
}
