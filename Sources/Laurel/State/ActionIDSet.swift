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
/// Open addressing with linear probing and backward-shift deletion.
struct ActionIDSet: Sendable {
  private var hashes: [UInt64]  // 0 = empty slot
  private var ids: [String]
  private(set) var count = 0

  init(capacity: Int = 16) {
    var size = 16
    while size < capacity * 4 / 3 + 1 { size <<= 1 }
    hashes = Array(repeating: 0, count: size)
    ids = Array(repeating: "", count: size)
  }

  @inline(__always)
  private static func hash(_ id: String) -> UInt64 { fnv1a(id) | 1 }

  @inline(__always)
  private func slot(_ h: UInt64) -> Int { Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> 20) & (hashes.count - 1) }

  /// Inserts `id`; false when it was already present.
  mutating func insert(_ id: String) -> Bool {
    let h = Self.hash(id)
    var i = slot(h)
    let mask = hashes.count - 1
    while hashes[i] != 0 {
      if hashes[i] == h && ids[i].utf8.elementsEqual(id.utf8) { return false }
      i = (i + 1) & mask
    }
    hashes[i] = h
    ids[i] = id
    count += 1
    if count * 4 > hashes.count * 3 { grow() }
    return true
  }

  func contains(_ id: String) -> Bool {
    let h = Self.hash(id)
    var i = slot(h)
    while hashes[i] != 0 {
      if hashes[i] == h && ids[i].utf8.elementsEqual(id.utf8) { return true }
      i = (i + 1) & (hashes.count - 1)
    }
    return false
  }

  mutating func remove(_ id: String) {
    let h = Self.hash(id)
    let mask = hashes.count - 1
    var i = slot(h)
    while hashes[i] != 0 {
      if hashes[i] == h && ids[i].utf8.elementsEqual(id.utf8) { break }
      i = (i + 1) & mask
    }
    guard hashes[i] != 0 else { return }
    // Backward-shift deletion keeps probe chains intact without tombstones.
    var hole = i
    var j = (i + 1) & mask
    while hashes[j] != 0 {
      let home = slot(hashes[j])
      let distanceJ = (j - home) & mask
      let distanceHole = (j - hole) & mask
      if distanceJ >= distanceHole {
        hashes[hole] = hashes[j]
        ids[hole] = ids[j]
        hole = j
      }
      j = (j + 1) & mask
    }
    hashes[hole] = 0
    ids[hole] = ""
    count -= 1
  }

  mutating func reserveCapacity(_ n: Int) {
    if n * 4 > hashes.count * 3 { rehash(to: Self(capacity: n).hashes.count) }
  }

  private mutating func grow() { rehash(to: hashes.count * 2) }

  private mutating func rehash(to size: Int) {
    let oldHashes = hashes
    let oldIDs = ids
    hashes = Array(repeating: 0, count: size)
    ids = Array(repeating: "", count: size)
    let mask = size - 1
    for k in oldHashes.indices where oldHashes[k] != 0 {
      var i = slot(oldHashes[k])
      while hashes[i] != 0 { i = (i + 1) & mask }
      hashes[i] = oldHashes[k]
      ids[i] = oldIDs[k]
    }
  }
}
