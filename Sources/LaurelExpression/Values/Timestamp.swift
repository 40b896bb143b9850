/// A point in time: seconds since the Unix epoch (UTC) plus nanoseconds,
/// within CEL's range 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59.999999999Z.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var seconds: Int64
  public var nanos: Int32

  static let minSeconds: Int64 = -62_135_596_800
  static let maxSeconds: Int64 = 253_402_300_799

  /// Creates a timestamp, or fails when it is outside CEL's range.
  public init(seconds: Int64, nanos: Int32 = 0) throws(EvalError) {
    var s = seconds
    var n = nanos
    if n < 0 {
      n += 1_000_000_000
      s -= 1
    }
    guard s >= Self.minSeconds, s <= Self.maxSeconds, (0..<1_000_000_000).contains(n) else {
      throw EvalError.range("timestamp")
    }
    self.seconds = s
    self.nanos = n
  }

  /// Parses RFC 3339 (`2026-03-01T10:00:00Z`, `...T10:00:00.5+02:00`).
  public init(rfc3339 text: String) throws(EvalError) {
    var parser = DigitScanner(Array(text.utf8))
    guard let year = parser.digits(4), parser.expect(UInt8(ascii: "-")),
      let month = parser.digits(2), parser.expect(UInt8(ascii: "-")),
      let day = parser.digits(2), parser.expectEither(UInt8(ascii: "T"), UInt8(ascii: "t")),
      let hour = parser.digits(2), parser.expect(UInt8(ascii: ":")),
      let minute = parser.digits(2), parser.expect(UInt8(ascii: ":")),
      let second = parser.digits(2)
    else { throw EvalError("invalid timestamp '\(text)': expected RFC 3339, e.g. 2026-03-01T10:00:00Z") }
    var nanos: Int64 = 0
    if parser.expect(UInt8(ascii: ".")) {
      guard let fraction = parser.fraction() else {
        throw EvalError("invalid timestamp '\(text)': bad fractional seconds")
      }
      nanos = fraction
    }
    var offset: Int64 = 0
    if parser.expectEither(UInt8(ascii: "Z"), UInt8(ascii: "z")) {
    } else if let sign = parser.sign(), let oh = parser.digits(2), parser.expect(UInt8(ascii: ":")),
      let om = parser.digits(2)
    {
      guard oh < 24, om < 60 else { throw EvalError("invalid timestamp '\(text)': the offset must be within ±23:59") }
      offset = sign * (oh * 3600 + om * 60)
    } else {
      throw EvalError("invalid timestamp '\(text)': missing time zone (Z or ±hh:mm)")
    }
    guard parser.atEnd else { throw EvalError("invalid timestamp '\(text)': trailing characters") }
    guard (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day),
      hour < 24, minute < 60, second < 60, year >= 1
    else { throw EvalError("timestamp '\(text)' out of range") }
    let days = CivilDate.daysFromCivil(year: year, month: month, day: day)
    try self.init(seconds: days * 86_400 + hour * 3600 + minute * 60 + second - offset, nanos: Int32(nanos))
  }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    (lhs.seconds, lhs.nanos) < (rhs.seconds, rhs.nanos)
  }

  /// Days since 1970-01-01 of this instant shifted by `offset` seconds.
  public func dayNumber(offset: Int64 = 0) -> Int64 {
    let s = seconds + offset
    return s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
  }

  /// RFC 3339 in UTC, with fractional seconds only when non-zero (3, 6 or 9 digits).
  public var description: String {
    let days = dayNumber()
    let date = CivilDate(days: days)
    let secondOfDay = seconds - days * 86_400
    var out = "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))T"
    out += "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
    if nanos != 0 {
      var digits = pad(Int64(nanos), 9)
      while digits.hasSuffix("000") { digits.removeLast(3) }
      out += "." + digits
    }
    return out + "Z"
  }
}

func pad(_ value: Int64, _ width: Int) -> String {
  let s = String(value)
  return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// A proleptic Gregorian calendar date (Howard Hinnant's algorithms).
package struct CivilDate {
  package var year: Int64
  package var month: Int64
  package var day: Int64

  /// The date `z0` days after 1970-01-01.
  package init(days z0: Int64) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    day = doy - (153 * mp + 2) / 5 + 1
    month = mp < 10 ? mp + 3 : mp - 9
    year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  }

  static func daysFromCivil(year y0: Int64, month m: Int64, day d: Int64) -> Int64 {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  static func isLeap(_ y: Int64) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

  static func daysIn(month: Int64, year: Int64) -> Int64 {
    switch month {
    case 2: isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }
}

/// A cursor over ASCII digits for the timestamp and action parsers.
struct DigitScanner {
  let bytes: [UInt8]
  var index = 0
  init(_ bytes: [UInt8]) { self.bytes = bytes }

  var atEnd: Bool { index == bytes.count }

  mutating func digits(_ count: Int) -> Int64? {
    guard index + count <= bytes.count else { return nil }
    var value: Int64 = 0
    for i in index..<(index + count) {
      let b = bytes[i]
      guard b >= 48, b <= 57 else { return nil }
      value = value * 10 + Int64(b - 48)
    }
    index += count
    return value
  }

  mutating func expect(_ byte: UInt8) -> Bool {
    guard index < bytes.count, bytes[index] == byte else { return false }
    index += 1
    return true
  }

  mutating func expectEither(_ a: UInt8, _ b: UInt8) -> Bool { expect(a) || expect(b) }

  mutating func sign() -> Int64? {
    if expect(UInt8(ascii: "+")) { return 1 }
    if expect(UInt8(ascii: "-")) { return -1 }
    return nil
  }

  /// Up to 9 fractional digits as nanoseconds (more digits are truncated).
  mutating func fraction() -> Int64? {
    var value: Int64 = 0
    var count = 0
    while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
      if count < 9 { value = value * 10 + Int64(bytes[index] - 48) }
      count += 1
      index += 1
    }
    guard count > 0 else { return nil }
    for _ in min(count, 9)..<9 { value *= 10 }
    return value
  }
}

extension Timestamp {
  /// A timestamp from calendar fields in UTC (after applying `offset` seconds east of UTC).
  package init(
    year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, nanos: Int32 = 0,
    offset: Int64 = 0
  ) throws(EvalError) {
    guard (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year), hour < 24,
      minute < 60, second < 60, year >= 1
    else { throw EvalError.range("timestamp") }
    let days = CivilDate.daysFromCivil(year: year, month: month, day: day)
    try self.init(seconds: days * 86_400 + hour * 3600 + minute * 60 + second - offset, nanos: nanos)
  }
}

extension Timestamp: Codable {
  /// Encoded as `[seconds, nanos]` since the Unix epoch.
  public init(from decoder: any Decoder) throws {
    var container = try decoder.unkeyedContainer()
    let seconds = try container.decode(Int64.self)
    let nanos = try container.decode(Int32.self)
    do { try self.init(seconds: seconds, nanos: nanos) } catch {
      throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.unkeyedContainer()
    try container.encode(seconds)
    try container.encode(nanos)
  }
}
