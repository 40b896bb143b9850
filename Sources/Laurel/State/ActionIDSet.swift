/// FNV-1a over a string's UTF-8 bytes: cheap and good enough for table
/// placement (equality is always checked on the strings themselves).
@inline(__always)
func fnv1a(_ s: String, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
  var h = seed
  for byte in s.utf8 {
    h ^= UInt64(byte)
    h &*= 0x100_0000_01b3
  }
  return h
}

/// The set of applied action ids: exact (ids are compared as strings), with a
/// precomputed hash per slot so lookups and growth never re-hash strings.
/// Open addressing with linear probing and backward-shift deletion; a slot
/// holds the hash and the id together, so a probe touches one cache line.
struct ActionIDSet: Sendable {
  struct Slot: Sendable {
    var hash: UInt64  // 0 = empty
    var id: String
  }

  private var slots: [Slot]
  private(set) var count = 0

  init(capacity: Int = 16) {
    var size = 16
    while size < capacity * 4 / 3 + 1 { size <<= 1 }
    slots = Array(repeating: Slot(hash: 0, id: ""), count: size)
  }

  @inline(__always)
  private static func hash(_ id: String) -> UInt64 { fnv1a(id) | 1 }

  @inline(__always)
  private static func home(_ h: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask }

  /// Inserts `id`; false when it was already present.
  mutating func insert(_ id: String) -> Bool {
    let h = Self.hash(id)
    let inserted = slots.withUnsafeMutableBufferPointer { table -> Bool in
      let mask = table.count - 1
      var i = Self.home(h, mask)
      while table[i].hash != 0 {
        if table[i].hash == h && table[i].id.utf8.elementsEqual(id.utf8) { return false }
        i = (i + 1) & mask
      }
      table[i] = Slot(hash: h, id: id)
      return true
    }
    guard inserted else { return false }
    count += 1
    if count * 4 > slots.count * 3 { rehash(to: slots.count * 2) }
    return true
  }

  func contains(_ id: String) -> Bool { find(id) != nil }

  private func find(_ id: String) -> Int? {
    let h = Self.hash(id)
    let mask = slots.count - 1
    var i = Self.home(h, mask)
    while slots[i].hash != 0 {
      if slots[i].hash == h && slots[i].id.utf8.elementsEqual(id.utf8) { return i }
      i = (i + 1) & mask
    }
    return nil
  }

  mutating func remove(_ id: String) {
    guard let found = find(id) else { return }
    let mask = slots.count - 1
    // Backward-shift deletion keeps probe chains intact without tombstones.
    var hole = found
    var j = (found + 1) & mask
    while slots[j].hash != 0 {
      if (j - Self.home(slots[j].hash, mask)) & mask >= (j - hole) & mask {
        slots[hole] = slots[j]
        hole = j
      }
      j = (j + 1) & mask
    }
    slots[hole] = Slot(hash: 0, id: "")
    count -= 1
  }

  mutating func reserveCapacity(_ n: Int) {
    let wanted = Self(capacity: n).slots.count
    if wanted > slots.count { rehash(to: wanted) }
  }

  private mutating func rehash(to size: Int) {
    let old = slots
    slots = Array(repeating: Slot(hash: 0, id: ""), count: size)
    let mask = size - 1
    slots.withUnsafeMutableBufferPointer { table in
      for slot in old where slot.hash != 0 {
        var i = Self.home(slot.hash, mask)
        while table[i].hash != 0 { i = (i + 1) & mask }
        table[i] = slot
      }
    }
  }
}
