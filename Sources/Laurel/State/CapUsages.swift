/// How much of each cap a member used, kept inline for up to two caps (as
/// an ``InlineInts`` of window and amount used per cap, which spills to the
/// heap beyond four integers), so that checking a capped award does not
/// chase a pointer to an array of its own: `perf` put a third of the direct
/// path's own time on that cache miss (most schemes have one or two caps).
package struct CapUsages: Sendable, RandomAccessCollection, MutableCollection, Equatable, Codable {
  /// Per cap: its window, then the amount used in it.
  private var values = InlineInts<Int64>()

  package init() {}

  package init(repeating value: CapUsage, count: Int) {
    for _ in 0..<count { append(value) }
  }

  package var startIndex: Int { 0 }
  package var endIndex: Int { values.count / 2 }

  /// Bounds are checked by `values`' subscript.
  package subscript(position: Int) -> CapUsage {
    @inline(__always) get { CapUsage(window: values[2 * position], used: values[2 * position + 1]) }
    @inline(__always) set {
      values[2 * position] = newValue.window
      values[2 * position + 1] = newValue.used
    }
  }

  package mutating func append(_ usage: CapUsage) {
    values.append(usage.window)
    values.append(usage.used)
  }

  /// Encoded as a plain array, as `[CapUsage]` was.
  package init(from decoder: any Decoder) throws {
    for usage in try [CapUsage](from: decoder) { append(usage) }
  }

  package func encode(to encoder: any Encoder) throws { try Array(self).encode(to: encoder) }
}
