@testable import Laurel
import Testing

/// Removing entries (undoing a failed in-memory transaction) keeps every
/// other entry findable, however their probe paths overlap.
@Suite struct HashIndexTests {
  @Test func removalKeepsEveryOtherEntryFindable() {
    var rng = SplitMix64(seed: 7)
    var index = HashIndex()
    // Few distinct home slots: long, overlapping probe runs.
    let hashes = (0..<2_000).map { _ in rng.next() % 64 &* 0x1_0000_0001 }
    for (i, hash) in hashes.enumerated() { index.insert(hash, Int32(i)) }
    var removed = Set<Int>()
    for _ in 0..<900 {
      let i = rng.below(hashes.count)
      index.remove(hashes[i], Int32(i))
      removed.insert(i)
    }
    for (i, hash) in hashes.enumerated() {
      let found = index.find(hash) { $0 == Int32(i) }
      #expect((found != nil) == !removed.contains(i), "entry \(i)")
    }
    #expect(index.count == hashes.count - removed.count)
  }
}
