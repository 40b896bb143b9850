/// A batch body cut into its actions' JSON texts: NDJSON (one action per
/// line, blank lines skipped, each with its line number) or a JSON array
/// (each element with its index). Only boundaries are found here; each
/// text is decoded and checked by Laurel's action decoder.
enum BatchBody {
  struct Item {
    var text: String
    /// 1-based line (NDJSON) or 0-based index (array).
    var position: Int
  }

  static func lines(_ bytes: [UInt8]) -> [Item] {
    var items: [Item] = []
    var line = 0
    for slice in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      line += 1
      let trimmed = slice.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }
      if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) { continue }
      items.append(Item(text: String(decoding: slice, as: UTF8.self), position: line))
    }
    return items
  }

  /// The top-level elements of a JSON array, or nil when `bytes` is not one.
  static func arrayElements(_ bytes: [UInt8]) -> [Item]? {
    var i = bytes.startIndex
    func skipSpace() { while i < bytes.endIndex, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[i]) { i += 1 } }
    skipSpace()
    guard i < bytes.endIndex, bytes[i] == UInt8(ascii: "[") else { return nil }
    i += 1
    var items: [Item] = []
    var depth = 0
    var inString = false
    var escaped = false
    var start: Int?
    while i < bytes.endIndex {
      let byte = bytes[i]
      if inString {
        if escaped {
          escaped = false
        } else if byte == UInt8(ascii: "\\") {
          escaped = true
        } else if byte == UInt8(ascii: "\"") {
          inString = false
        }
      } else {
        switch byte {
        case UInt8(ascii: "\""):
          inString = true
          if start == nil { start = i }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
          if start == nil { start = i }
          depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
          if depth == 0 {
            guard byte == UInt8(ascii: "]") else { return nil }
            if let s = start {
              items.append(Item(text: String(decoding: bytes[s..<i], as: UTF8.self), position: items.count))
            }
            i += 1
            skipSpace()
            return i == bytes.endIndex ? items : nil
          }
          depth -= 1
        case UInt8(ascii: ","):
          if depth == 0 {
            guard let s = start else { return nil }
            items.append(Item(text: String(decoding: bytes[s..<i], as: UTF8.self), position: items.count))
            start = nil
          }
        case 0x20, 0x09, 0x0a, 0x0d: break
        default:
          if start == nil { start = i }
        }
      }
      i += 1
    }
    return nil
  }
}
