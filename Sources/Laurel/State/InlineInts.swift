/// A small array of integers stored inline for up to four elements (spilling
/// to the heap beyond that), so reading a member's balance or tier rank does
/// not chase a pointer: most schemes have one or two currencies and ladders.
package struct InlineInts<Element: FixedWidthInteger & Sendable & Codable>: Sendable, RandomAccessCollection,
  MutableCollection, ExpressibleByArrayLiteral, Equatable, Codable, CustomStringConvertible
{
  private var inline: (Element, Element, Element, Element) = (0, 0, 0, 0)
  private var spill: [Element] = []
  package private(set) var count = 0

  package init() {}

  package init(_ elements: some Sequence<Element>) {
    for e in elements { append(e) }
  }

  package init(arrayLiteral elements: Element...) { self.init(elements) }

  package init(repeating value: Element, count: Int) { self.init(repeatElement(value, count: count)) }

  package var startIndex: Int { 0 }
  package var endIndex: Int { count }

  package subscript(position: Int) -> Element {
    @inline(__always) get {
      precondition(position >= 0 && position < count, "index out of range")
      switch position {
      case 0: return inline.0
      case 1: return inline.1
      case 2: return inline.2
      case 3: return inline.3
      default: return spill[position - 4]
      }
    }
    @inline(__always) set {
      precondition(position >= 0 && position < count, "index out of range")
      switch position {
      case 0: inline.0 = newValue
      case 1: inline.1 = newValue
      case 2: inline.2 = newValue
      case 3: inline.3 = newValue
      default: setSpilled(position - 4, newValue)
      }
    }
  }

  /// Out of line, so that setting an inline element never makes the spill
  /// array unique first (the optimizer hoisted that check into the engine's
  /// hot path: a call on every tier update, 7% of a replay's instructions).
  @inline(never)
  private mutating func setSpilled(_ index: Int, _ value: Element) { spill[index] = value }

  package mutating func append(_ e: Element) {
    count += 1
    if count > 4 { spill.append(e) } else { self[count - 1] = e }
  }

  package static func == (a: InlineInts, b: InlineInts) -> Bool { a.elementsEqual(b) }

  package var description: String { "[" + map { "\($0)" }.joined(separator: ", ") + "]" }

  /// Encoded as a plain array.
  package init(from decoder: any Decoder) throws { self.init(try [Element](from: decoder)) }
  package func encode(to encoder: any Encoder) throws { try Array(self).encode(to: encoder) }
}
