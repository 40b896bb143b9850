import CLaurelPrefetch

/// The set of applied action ids, exact (ids are compared as strings on a
/// fingerprint match). The probe table holds 8-byte slots — a 32-bit
/// fingerprint and an index into `ids` — so a million ids take 16 MiB of
/// table that mostly stays in cache; `ids` is appended to in order.
/// Linear probing with backward-shift deletion.
package struct ActionIDSet: Sendable {
  private var slots: [UInt64]  // 0 = empty; else fingerprint << 32 | (index + 1)
  private var ids: [String] = []
  private(set) var count = 0

  package init(capacity: Int = 16) {
    var size = 16
    while size < capacity * 4 / 3 + 1 { size <<= 1 }
    slots = .onHugePages(repeating: 0, count: size)
  }

  @inline(__always)
  private static func home(_ h: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: h >> 11) & mask }

  @inline(__always)
  private static func fingerprint(_ h: UInt64) -> UInt64 { (h >> 32) | 1 }

  /// Inserts `id`; false when it was already present.
  mutating func insert(_ id: String) -> Bool { insert(id, hash: fnv1a(id)) }

  /// Inserts `id` whose ``fnv1a(_:seed:)`` hash the caller already has.
  package mutating func insert(_ id: String, hash: UInt64) -> Bool {
    let h = hash &* 0x9E37_79B9_7F4A_7C15
    let print = Self.fingerprint(h)
    let index = UInt64(ids.count + 1)
    let ids = self.ids
    let inserted = slots.withUnsafeMutableBufferPointer { table -> Bool in
      let mask = table.count - 1
      var i = Self.home(h, mask)
      while table[i] != 0 {
        if table[i] >> 32 == print && sameUTF8(ids[Int(table[i] & 0xFFFF_FFFF) - 1], id) { return false }
        i = (i + 1) & mask
      }
      table[i] = print << 32 | index
      return true
    }
    guard inserted else { return false }
    self.ids.append(id)
    count += 1
    if count * 4 > slots.count * 3 { rehash(to: slots.count * 2) }
    return true
  }

  /// Prefetches the slots where the ids of a run of actions start their
  /// probes, so that a later ``insert(_:hash:)`` finds them in cache (a
  /// replay touches them a block ahead). One access to the table for all of
  /// them: each access retains and releases it.
  func touch(idsOf actions: UnsafeBufferPointer<PreparedAction>, _ range: Range<Int>) {
    slots.withUnsafeBufferPointer { table in
      let mask = table.count - 1
      for i in range {
        laurel_prefetch(table.baseAddress! + Self.home(actions[i].idHash &* 0x9E37_79B9_7F4A_7C15, mask))
      }
    }
  }

  package func contains(_ id: String) -> Bool { find(id, hash: fnv1a(id)) != nil }

  /// Whether `id`, whose ``fnv1a(_:seed:)`` hash the caller already has, is in the set.
  package func contains(_ id: String, hash: UInt64) -> Bool { find(id, hash: hash) != nil }

  private func find(_ id: String, hash: UInt64) -> Int? {
    let h = hash &* 0x9E37_79B9_7F4A_7C15
    let print = Self.fingerprint(h)
    let mask = slots.count - 1
    var i = Self.home(h, mask)
    while slots[i] != 0 {
      if slots[i] >> 32 == print && sameUTF8(ids[Int(slots[i] & 0xFFFF_FFFF) - 1], id) { return i }
      i = (i + 1) & mask
    }
    return nil
  }

  /// Removes `id` (an action rejected after claiming it).
  package mutating func remove(_ id: String) {
    guard let found = find(id, hash: fnv1a(id)) else { return }
    let mask = slots.count - 1
    ids[Int(slots[found] & 0xFFFF_FFFF) - 1] = ""
    var hole = found
    var j = (found + 1) & mask
    while slots[j] != 0 {
      let h = fnv1a(ids[Int(slots[j] & 0xFFFF_FFFF) - 1]) &* 0x9E37_79B9_7F4A_7C15
      if (j - Self.home(h, mask)) & mask >= (j - hole) & mask {
        slots[hole] = slots[j]
        hole = j
      }
      j = (j + 1) & mask
    }
    slots[hole] = 0
    count -= 1
  }

  mutating func reserveCapacity(_ n: Int) {
    ids.reserveCapacity(n)
    let wanted = Self(capacity: n).slots.count
    if wanted > slots.count { rehash(to: wanted) }
  }

  private mutating func rehash(to size: Int) {
    slots = .onHugePages(repeating: 0, count: size)
    let mask = size - 1
    let ids = self.ids
    slots.withUnsafeMutableBufferPointer { table in
      for (k, id) in ids.enumerated() where !id.isEmpty {
        let h = fnv1a(id) &* 0x9E37_79B9_7F4A_7C15
        var i = Self.home(h, mask)
        while table[i] != 0 { i = (i + 1) & mask }
        table[i] = Self.fingerprint(h) << 32 | UInt64(k + 1)
      }
    }
  }
}
