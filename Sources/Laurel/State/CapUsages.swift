/// How much of each cap a member used, stored inline for up to two caps
/// (spilling to the heap beyond that), so that checking a capped award does
/// not chase a pointer to an array of its own: `perf` put a third of the
/// direct path's own time on that cache miss (most schemes have one or two caps).
package struct CapUsages: Sendable, RandomAccessCollection, MutableCollection, Equatable, Codable {
  private var inline = InlineArray<2, CapUsage>(repeating: CapUsage())
  private var spill: [CapUsage] = []
  package private(set) var count = 0

  package init() {}

  package init(repeating value: CapUsage, count: Int) {
    for _ in 0..<count { append(value) }
  }

  package var startIndex: Int { 0 }
  package var endIndex: Int { count }

  package subscript(position: Int) -> CapUsage {
    @inline(__always) get {
      precondition(position >= 0 && position < count, "index out of range")
      return position < 2 ? inline[position] : spill[position - 2]
    }
    @inline(__always) set {
      precondition(position >= 0 && position < count, "index out of range")
      if position < 2 { inline[position] = newValue } else { setSpilled(position - 2, newValue) }
    }
  }

  /// Out of line, like ``InlineInts``'s: setting an inline element then never makes the spill array unique first.
  @inline(never)
  private mutating func setSpilled(_ index: Int, _ value: CapUsage) { spill[index] = value }

  package mutating func append(_ usage: CapUsage) {
    count += 1
    if count > 2 { spill.append(usage) } else { self[count - 1] = usage }
  }

  package static func == (a: CapUsages, b: CapUsages) -> Bool { a.elementsEqual(b) }

  /// Encoded as a plain array, as `[CapUsage]` was.
  package init(from decoder: any Decoder) throws {
    for usage in try [CapUsage](from: decoder) { append(usage) }
  }

  package func encode(to encoder: any Encoder) throws { try Array(self).encode(to: encoder) }
}
