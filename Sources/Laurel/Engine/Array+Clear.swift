extension Array {
  /// Empties the array and keeps its storage. The engine's buffers hold a
  /// few elements per action, and for those this is several times cheaper
  /// than `removeAll(keepingCapacity: true)`, a general range replacement.
  @inline(__always)
  mutating func clear() {
    while !isEmpty { removeLast() }
  }
}
