import Foundation
import LaurelExpression

/// Maps instants to calendar windows (day, week, month) in the scheme's time zone.
struct TimeZoneRule: Sendable {
  private enum Kind: Sendable {
    case fixed(Int64)
    case named(TimeZone)
  }
  private let kind: Kind

  /// `UTC`, `Z`, `+02:00` or an IANA name such as `Europe/Paris`; nil when unknown.
  init?(_ name: String) {
    if name == "UTC" || name == "Z" || name == "GMT" {
      kind = .fixed(0)
    } else if let first = name.first, first == "+" || first == "-" {
      let parts = name.dropFirst().split(separator: ":")
      guard parts.count == 2, let h = Int64(parts[0]), let m = Int64(parts[1]), h < 24, m < 60 else { return nil }
      kind = .fixed((first == "-" ? -1 : 1) * (h * 3600 + m * 60))
    } else if let zone = TimeZone(identifier: name) {
      kind = .named(zone)
    } else {
      return nil
    }
  }

  func offset(at t: Timestamp) -> Int64 {
    switch kind {
    case .fixed(let o): o
    case .named(let zone): Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t.seconds))))
    }
  }

  /// The index of the window containing `t`: days since 1970-01-01, ISO weeks
  /// (Monday first) since then, or months since year 0.
  func window(_ window: TimeWindow, at t: Timestamp) -> Int64 {
    let day = t.dayNumber(offset: offset(at: t))
    switch window {
    case .day: return day
    case .week:
      let shifted = day + 3  // 1970-01-01 was a Thursday; weeks start on Monday
      return shifted >= 0 ? shifted / 7 : (shifted - 6) / 7
    case .month:
      let date = CivilDate(days: day)
      return date.year * 12 + date.month - 1
    }
  }
}
