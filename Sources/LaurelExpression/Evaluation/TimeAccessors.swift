import Foundation

/// The timestamp and duration accessors (`getHours()`, `getDayOfWeek('Europe/Paris')`, ...).
enum TimeAccessors {
  /// Seconds east of UTC for `zone` at `ts`: `+05:30`, `-08:00`, `UTC` or an IANA name.
  static func offset(zone: String, at ts: Timestamp) throws(EvalError) -> Int64 {
    if let first = zone.first, first == "+" || first == "-" {
      let parts = zone.dropFirst().split(separator: ":")
      guard parts.count == 2, let h = Int64(parts[0]), let m = Int64(parts[1]), h < 24, m < 60 else {
        throw EvalError("invalid time zone offset '\(zone)'")
      }
      return (first == "-" ? -1 : 1) * (h * 3600 + m * 60)
    }
    guard let tz = TimeZone(identifier: zone) else { throw EvalError("unknown time zone '\(zone)'") }
    return Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ts.seconds))))
  }

  static func get(_ name: String, _ ts: Timestamp, zone: String?) throws(EvalError) -> Int64 {
    let offset = try zone.map { (z: String) throws(EvalError) -> Int64 in try Self.offset(zone: z, at: ts) } ?? 0
    let days = ts.dayNumber(offset: offset)
    let secondOfDay = ts.seconds + offset - days * 86_400
    let date = CivilDate(days: days)
    switch name {
    case "getFullYear": return date.year
    case "getMonth": return date.month - 1
    case "getDate": return date.day
    case "getDayOfMonth": return date.day - 1
    case "getDayOfWeek": return ((days + 4) % 7 + 7) % 7
    case "getDayOfYear": return days - CivilDate.daysFromCivil(year: date.year, month: 1, day: 1)
    case "getHours": return secondOfDay / 3600
    case "getMinutes": return secondOfDay / 60 % 60
    case "getSeconds": return secondOfDay % 60
    default: return Int64(ts.nanos) / 1_000_000  // getMilliseconds
    }
  }

  /// A duration's accessors, as the CEL language definition gives them:
  /// hours, minutes and seconds are the whole duration in that unit;
  /// milliseconds are the component below the second, 0-999 (negative for a
  /// negative duration).
  static func get(_ name: String, _ d: CELDuration) -> Int64 {
    switch name {
    case "getHours": d.seconds / 3600
    case "getMinutes": d.seconds / 60
    case "getSeconds": d.seconds
    default: Int64(d.nanos) / 1_000_000  // getMilliseconds
    }
  }
}
