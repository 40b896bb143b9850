/// The seed of every hash of strings that users choose (action ids, users,
/// scopes, once-per keys), drawn once per process as Swift's `Dictionary`
/// does: nobody can precompute ids that collide in a running engine's tables
/// and make every lookup walk a long chain (hash flooding). Hashes are never
/// stored or compared across processes.
let processHashSeed: UInt64 = {
  var generator = SystemRandomNumberGenerator()
  return 0xcbf2_9ce4_8422_2325 ^ generator.next()
}()

/// FNV-1a over a string's UTF-8 bytes, from the process's seed: cheap and
/// good enough for table placement (equality is always checked on the
/// strings themselves).
@inline(__always)
func fnv1a(_ s: String, seed: UInt64 = processHashSeed) -> UInt64 {
  // Over the contiguous bytes when there are (native and small strings): a tight loop.
  if let h = s.utf8.withContiguousStorageIfAvailable({ fnv1a($0, seed: seed) }) { return h }
  var h = seed
  for byte in s.utf8 {
    h ^= UInt64(byte)
    h &*= 0x100_0000_01b3
  }
  return h
}

@inline(__always)
func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64 = processHashSeed) -> UInt64 {
  var h = seed
  for byte in bytes {
    h ^= UInt64(byte)
    h &*= 0x100_0000_01b3
  }
  return h
}

/// Whether two strings have the same UTF-8 bytes (not Unicode canonical
/// equivalence, which `==` tests): ids are compared as bytes everywhere, as in
/// the SQLite store.
@inline(__always)
func sameUTF8(_ a: String, _ b: String) -> Bool {
  // Identical representations hold identical bytes: the same small string
  // (up to 15 bytes, stored inline) or the same storage. This settles the
  // common case, a lookup that finds what it looks for, without a loop.
  let (p, q) = (unsafeBitCast(a, to: (UInt64, UInt64).self), unsafeBitCast(b, to: (UInt64, UInt64).self))
  if p == q { return true }
  // Two small strings hold the same bytes only in the same representation
  // (bit 61 of the second word marks a small string on 64-bit platforms).
  if p.1 & q.1 & (1 << 61) != 0 { return false }
  let (x, y) = (a.utf8, b.utf8)
  guard x.count == y.count else { return false }
  let fast: Bool?? = x.withContiguousStorageIfAvailable { p in
    y.withContiguousStorageIfAvailable { q in p.elementsEqual(q) }
  }
  return (fast ?? nil) ?? x.elementsEqual(y)
}
