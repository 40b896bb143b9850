/// A signed span of time, as CEL implementations hold it: a signed 64-bit count
/// of nanoseconds (about ±292 years).
public struct CELDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// Total length in nanoseconds is `seconds * 1e9 + nanos`; both carry the same sign.
  public var seconds: Int64
  public var nanos: Int32

  static let maxSeconds: Int64 = 9_223_372_036

  public init(seconds: Int64, nanos: Int32 = 0) throws(EvalError) {
    var s = seconds
    var n = Int64(nanos)
    s += n / 1_000_000_000
    n %= 1_000_000_000
    if s > 0 && n < 0 {
      s -= 1
      n += 1_000_000_000
    } else if s < 0 && n > 0 {
      s += 1
      n -= 1_000_000_000
    }
    guard abs(s) < Self.maxSeconds || (abs(s) == Self.maxSeconds && abs(n) <= 854_775_807) else {
      throw EvalError.range("duration")
    }
    self.seconds = s
    self.nanos = Int32(n)
  }

  /// Parses Go-style durations: `90s`, `1h30m`, `-1.5h`, `250ms`, `10us`, `5ns`.
  public init(parsing text: String) throws(EvalError) {
    let bad = EvalError("invalid duration '\(text)': expected e.g. 90s, 1h30m, 250ms")
    var bytes = Array(text.utf8)[...]
    var negative = false
    if bytes.first == UInt8(ascii: "-") {
      negative = true
      bytes = bytes.dropFirst()
    } else if bytes.first == UInt8(ascii: "+") {
      bytes = bytes.dropFirst()
    }
    guard !bytes.isEmpty else { throw bad }
    if bytes.elementsEqual("0".utf8) {
      try self.init(seconds: 0)
      return
    }
    var totalNanos: (Int64, Int64) = (0, 0)  // (seconds, nanos)
    while !bytes.isEmpty {
      var whole: Int64 = 0
      var fraction: Double = 0
      var sawDigit = false
      while let b = bytes.first, b >= 48, b <= 57 {
        let (m, o1) = whole.multipliedReportingOverflow(by: 10)
        let (a, o2) = m.addingReportingOverflow(Int64(b - 48))
        guard !o1, !o2 else { throw EvalError.range("duration") }
        whole = a
        sawDigit = true
        bytes = bytes.dropFirst()
      }
      if bytes.first == UInt8(ascii: ".") {
        bytes = bytes.dropFirst()
        var scale = 0.1
        while let b = bytes.first, b >= 48, b <= 57 {
          fraction += Double(b - 48) * scale
          scale /= 10
          sawDigit = true
          bytes = bytes.dropFirst()
        }
      }
      guard sawDigit else { throw bad }
      var unit = [UInt8]()
      while let b = bytes.first, !(b >= 48 && b <= 57), b != UInt8(ascii: ".") {
        unit.append(b)
        bytes = bytes.dropFirst()
      }
      let nanosPerUnit: Int64
      switch String(decoding: unit, as: UTF8.self) {
      case "h": nanosPerUnit = 3_600_000_000_000
      case "m": nanosPerUnit = 60_000_000_000
      case "s": nanosPerUnit = 1_000_000_000
      case "ms": nanosPerUnit = 1_000_000
      case "us", "µs", "μs": nanosPerUnit = 1_000
      case "ns": nanosPerUnit = 1
      default: throw bad
      }
      // whole * unit, split into seconds and nanos without overflow.
      if nanosPerUnit >= 1_000_000_000 {
        let (ws, o) = whole.multipliedReportingOverflow(by: nanosPerUnit / 1_000_000_000)
        guard !o else { throw EvalError.range("duration") }
        totalNanos.0 += ws
      } else {
        let perSecond = 1_000_000_000 / nanosPerUnit
        totalNanos.0 += whole / perSecond
        totalNanos.1 += (whole % perSecond) * nanosPerUnit
      }
      let fractional = fraction * Double(nanosPerUnit)
      totalNanos.0 += Int64(fractional / 1e9)
      totalNanos.1 += Int64(fractional.truncatingRemainder(dividingBy: 1e9).rounded())
      guard totalNanos.0 <= Self.maxSeconds * 2 else { throw EvalError.range("duration") }
    }
    let s = totalNanos.0 + totalNanos.1 / 1_000_000_000
    let n = totalNanos.1 % 1_000_000_000
    try self.init(seconds: negative ? -s : s, nanos: Int32(negative ? -n : n))
  }

  public static func < (lhs: CELDuration, rhs: CELDuration) -> Bool {
    (lhs.seconds, lhs.nanos) < (rhs.seconds, rhs.nanos)
  }

  /// `1000000s`, `1.5s`, `-0.000000001s`: seconds with the fraction CEL prints.
  public var description: String {
    let negative = seconds < 0 || nanos < 0
    var out = negative ? "-" : ""
    out += String(abs(seconds))
    if nanos != 0 {
      var digits = pad(Int64(abs(nanos)), 9)
      while digits.hasSuffix("0") { digits.removeLast() }
      out += "." + digits
    }
    return out + "s"
  }

  func adding(_ other: CELDuration) throws(EvalError) -> CELDuration {
    try CELDuration(seconds: seconds + other.seconds, nanos: nanos + other.nanos)
  }

  var negated: CELDuration { (try? CELDuration(seconds: -seconds, nanos: -nanos))! }
}

extension Timestamp {
  func adding(_ d: CELDuration) throws(EvalError) -> Timestamp {
    try Timestamp(seconds: seconds + d.seconds, nanos: 0).addingNanos(Int64(nanos) + Int64(d.nanos))
  }

  private func addingNanos(_ n: Int64) throws(EvalError) -> Timestamp {
    let s = seconds + n / 1_000_000_000
    let rest = n % 1_000_000_000
    return try Timestamp(seconds: rest < 0 ? s - 1 : s, nanos: Int32(rest < 0 ? rest + 1_000_000_000 : rest))
  }

  func subtracting(_ other: Timestamp) throws(EvalError) -> CELDuration {
    try CELDuration(seconds: seconds - other.seconds, nanos: nanos - other.nanos)
  }
}
