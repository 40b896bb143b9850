@testable import Laurel
import Testing

/// The engine's large tables are built by `Array.onHugePages(repeating:count:)`.
@Suite struct HugePagesTests {
  @Test(arguments: [0, 5, (2 << 20) / 8 - 1, (5 << 20) / 8 + 3])
  func fillsEveryElement(count: Int) {
    let table = [UInt64].onHugePages(repeating: 0xA5A5, count: count)
    #expect(table.count == count)
    #expect(table.allSatisfy { $0 == 0xA5A5 })
  }
}
