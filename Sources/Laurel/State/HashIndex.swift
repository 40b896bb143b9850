import CLaurelPrefetch

/// An open-addressing index from precomputed 64-bit hashes to Int32 payloads
/// (array positions). Callers keep the keys themselves and confirm a match, so
/// the index stays small enough to live in cache: 16 bytes a slot.
struct HashIndex: Sendable {
  fileprivate struct Slot: Sendable {
    var hash: UInt64  // 0 = empty
    var value: Int32
  }

  private var slots: [Slot] = Array(repeating: Slot(hash: 0, value: 0), count: 16)
  private(set) var count = 0

  @inline(__always)
  fileprivate static func home(_ h: UInt64, _ mask: Int) -> Int {
    Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> 17) & mask
  }

  /// The payload of the first entry with this hash that `matches` accepts.
  @inline(__always)
  func find(_ hash: UInt64, _ matches: (Int32) -> Bool) -> Int32? {
    withProbe { $0.find(hash, matches) }
  }

  /// Read access to the table, valid inside ``withProbe(_:)``.
  struct Probe {
    fileprivate let slots: UnsafeBufferPointer<Slot>

    /// Prefetches the slot where the probe for `hash` starts.
    @inline(__always)
    func touch(_ hash: UInt64) { laurel_prefetch(slots.baseAddress! + HashIndex.home(hash | 1, slots.count - 1)) }

    /// The payload of the first entry with this hash that `matches` accepts.
    @inline(__always)
    func find(_ hash: UInt64, _ matches: (Int32) -> Bool) -> Int32? {
      let h = hash | 1
      let mask = slots.count - 1
      var i = HashIndex.home(h, mask)
      while slots[i].hash != 0 {
        if slots[i].hash == h && matches(slots[i].value) { return slots[i].value }
        i = (i + 1) & mask
      }
      return nil
    }

    /// The first payload stored under `hash`, not confirmed: a guess, for prefetching what it points at.
    @inline(__always)
    func peek(_ hash: UInt64) -> Int32? { find(hash) { _ in true } }
  }

  /// Calls `body` with a ``Probe``: one access to the table for one lookup or a run of them.
  @inline(__always)
  func withProbe<R>(_ body: (Probe) -> R) -> R {
    slots.withUnsafeBufferPointer { body(Probe(slots: $0)) }
  }

  /// Adds an entry (the caller has checked it is not present).
  mutating func insert(_ hash: UInt64, _ value: Int32) {
    if (count + 1) * 4 > slots.count * 3 { grow() }
    let h = hash | 1
    let mask = slots.count - 1
    var i = Self.home(h, mask)
    while slots[i].hash != 0 { i = (i + 1) & mask }
    slots[i] = Slot(hash: h, value: value)
    count += 1
  }

  /// Removes the entry with this hash and payload, if present, shifting the
  /// entries after it back so that every probe still finds its entry.
  mutating func remove(_ hash: UInt64, _ value: Int32) {
    let h = hash | 1
    let mask = slots.count - 1
    var i = Self.home(h, mask)
    while slots[i].hash != 0 && !(slots[i].hash == h && slots[i].value == value) { i = (i + 1) & mask }
    guard slots[i].hash != 0 else { return }
    var hole = i
    var j = (i + 1) & mask
    while slots[j].hash != 0 {
      // An entry may move into the hole only if the hole lies on its probe path.
      if (j - Self.home(slots[j].hash, mask)) & mask >= (j - hole) & mask {
        slots[hole] = slots[j]
        hole = j
      }
      j = (j + 1) & mask
    }
    slots[hole] = Slot(hash: 0, value: 0)
    count -= 1
  }

  mutating func reserveCapacity(_ n: Int) {
    while n * 4 > slots.count * 3 { grow() }
  }

  private mutating func grow() {
    let old = slots
    slots = .onHugePages(repeating: Slot(hash: 0, value: 0), count: old.count * 2)
    let mask = slots.count - 1
    for slot in old where slot.hash != 0 {
      var i = Self.home(slot.hash, mask)
      while slots[i].hash != 0 { i = (i + 1) & mask }
      slots[i] = slot
    }
  }
}
