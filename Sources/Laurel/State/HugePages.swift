#if os(Linux) && canImport(Glibc)
import Glibc
#elseif os(Linux) && canImport(Musl)
import Musl
#endif

extension Array where Element: BitwiseCopyable {
  /// `count` copies of `value`, in memory the kernel is asked to back with
  /// 2 MiB pages where it can (Linux; elsewhere a plain array).
  ///
  /// For the engine's large hash tables, probed at random: with 4 KiB pages
  /// nearly every probe of a 16 MiB table also misses the TLB, and the page
  /// walk costs as much as the cache miss. The advice must come before the
  /// memory is first written, which `Array(repeating:count:)` does at once.
  static func onHugePages(repeating value: Element, count: Int) -> [Element] {
    [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
      adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
      buffer.initialize(repeating: value)
      initialized = count
    }
  }
}

/// Advises huge pages for the whole 2 MiB pages inside `region`.
private func adviseHugePages(_ region: UnsafeMutableRawBufferPointer) {
  #if os(Linux) && (canImport(Glibc) || canImport(Musl))
  let huge = 2 << 20
  guard let base = region.baseAddress, region.count >= huge else { return }
  let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
  let end = (Int(bitPattern: base) + region.count) & ~(huge - 1)
  guard end > start else { return }
  _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE)
  #endif
}
