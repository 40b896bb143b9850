import LaurelExpression

/// Decodes action JSON (one object, e.g. one line of a JSONL history) straight
/// into a ``PreparedAction`` for the compiled rules: no intermediate
/// dictionary, type names resolved to the dispatch table, attributes checked
/// against the declared fields.
public struct ActionDecoder: Sendable {
  let rules: CompiledRules
  private let fieldNames: [[UInt8]]
  private let typeNames: [[UInt8]]
  /// Keep each action's JSON text in ``PreparedAction/source`` (for stores
  /// that log actions); off for replays, which do not need it.
  public var keepsSource = false

  public init(rules: CompiledRules) {
    self.rules = rules
    fieldNames = rules.fields.map { Array($0.name.utf8) }
    typeNames = rules.actions.map { Array($0.type.utf8) }
  }

  /// Decodes one JSON object into `action`, reusing its buffers.
  public func decode(_ bytes: UnsafeBufferPointer<UInt8>, into action: inout PreparedAction) throws(ActionError) {
    var scanner = JSONScanner(bytes)
    action.typeIndex = nil
    action.traits.removeAll(keepingCapacity: true)
    action.clearFields(count: fieldNames.count)
    var seen: UInt8 = 0  // bits: id, type, at, user, traits
    if let bad = UTF8Validation.firstInvalidOffset(bytes) {
      throw ActionError(.invalidUTF8, "invalid UTF-8 at byte \(bad + 1): actions must be UTF-8 text")
    }
    /// A key given twice in the object is refused, not read last-wins.
    func first(_ bit: UInt8, _ name: String) throws(ActionError) {
      guard seen & bit == 0 else { throw ActionError(.duplicateKey, "key '\(name)' appears twice in the action") }
      seen |= bit
    }
    do {
      try scanner.expect(UInt8(ascii: "{"), "an object")
      if !scanner.consume(UInt8(ascii: "}")) {
        repeat {
          let (key, decodedKey) = try scanner.stringBytes()
          try scanner.expect(UInt8(ascii: ":"), "':'")
          let name = decodedKey.map { Array($0.utf8) }
          switch name.map({ Self.builtin($0[...]) }) ?? Self.builtin(bytes, key) {
          case .id:
            try first(1, "id")
            action.id = try scalarString(&scanner, "id")
          case .type:
            try first(2, "type")
            let (range, decoded) = try scanner.stringBytes()
            action.typeIndex =
              decoded.map { rules.actionIndex[$0] } ?? typeNames.firstIndex { scanner.equals(range, $0) }
            if decoded == nil, let known = action.typeIndex {
              action.type = rules.actions[known].type  // shared, not decoded (and allocated) again
            } else {
              action.type = decoded ?? String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            }
          case .at:
            try first(4, "at")
            let (range, decoded) = try scanner.stringBytes()
            if let decoded {
              let text = Array(decoded.utf8)
              action.at = try text.withUnsafeBufferPointer { (p) throws(ActionError) -> Timestamp in
                try Self.timestamp(p)
              }
            } else {
              action.at = try Self.timestamp(UnsafeBufferPointer(rebasing: bytes[range]))
            }
          case .user:
            try first(8, "user")
            action.user = try scalarString(&scanner, "user")
          case .traits:
            try first(16, "traits")
            guard case .map(let traits) = try scanner.value() else {
              throw ActionError(.invalidTrait, "'traits' must be an object")
            }
            for (k, v) in traits.entries {
              guard case .string(let value) = v else {
                throw ActionError(.invalidTrait, "trait '\(k.value.plainText)' must be a string")
              }
              action.traits.append(try rules.trait(k.value.plainText, value, actionID: action.id))
            }
          case .none:
            if let field = name.map({ fieldNames.firstIndex(of: $0) })
              ?? fieldNames.firstIndex(where: { scanner.equals(key, $0) })
            {
              if action.fields[field].value != nil {
                throw ActionError(
                  .duplicateKey,
                  "key '\(String(decoding: fieldNames[field], as: UTF8.self))' appears twice in the action")
              }
              action.setField(field, try rules.coerce(try scanner.value(), to: field, actionID: action.id))
            } else {
              try scanner.skipValue()
            }
          }
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
      }
      scanner.skipSpace()
      guard scanner.atEnd else { throw scanner.fail("text after the end of the object") }
    } catch let error as JSONScanner.Failure {
      throw ActionError(.invalidJSON, "invalid JSON at byte \(error.offset + 1): \(error.message)")
    } catch {
      throw error as? ActionError ?? ActionError(.invalidJSON, "\(error)")
    }
    guard seen & 1 != 0, !action.id.isEmpty else { throw ActionError(.missingField, "action has no 'id'") }
    guard seen & 2 != 0, !action.type.isEmpty else {
      throw ActionError(.missingField, "action \(action.id) has no 'type'")
    }
    guard seen & 4 != 0 else { throw ActionError(.missingField, "action \(action.id) has no 'at' timestamp") }
    guard seen & 8 != 0, !action.user.isEmpty else {
      throw ActionError(.missingField, "action \(action.id) has no 'user'")
    }
    action.source = keepsSource ? String(decoding: bytes, as: UTF8.self) : nil
  }

  /// Decodes a JSON object from text.
  public func decode(_ text: String) throws(ActionError) -> PreparedAction {
    var action = PreparedAction()
    var copy = text
    let result: Result<Void, ActionError> = copy.withUTF8 { buffer in
      Result { () throws(ActionError) in try decode(buffer, into: &action) }
    }
    try result.get()
    return action
  }

  private func scalarString(_ scanner: inout JSONScanner, _ name: String) throws -> String {
    guard case .string(let s) = try scanner.value() else { throw ActionError(.wrongType, "'\(name)' must be a string") }
    return s
  }

  enum Builtin { case id, type, at, user, traits }

  /// Which built-in key a key's bytes are, by length and first byte, without allocating.
  static func builtin(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Builtin? {
    builtin(UnsafeBufferPointer(rebasing: bytes[range]))
  }

  static func builtin(_ k: ArraySlice<UInt8>) -> Builtin? {
    k.withUnsafeBufferPointer { builtin($0) }
  }

  static func builtin(_ k: UnsafeBufferPointer<UInt8>) -> Builtin? {
    // Byte by byte: a generic comparison with "type".utf8 cost more than the rest of the lookup.
    func matches(_ word: StaticString) -> Bool {
      word.withUTF8Buffer { w in
        for i in 0..<w.count where k[k.startIndex + i] != w[i] { return false }
        return true
      }
    }
    switch k.count {
    case 2:
      if k[k.startIndex] == UInt8(ascii: "i") && k[k.startIndex + 1] == UInt8(ascii: "d") { return .id }
      if k[k.startIndex] == UInt8(ascii: "a") && k[k.startIndex + 1] == UInt8(ascii: "t") { return .at }
    case 4:
      if matches("type") { return .type }
      if matches("user") { return .user }
    case 6:
      if matches("traits") { return .traits }
    default: break
    }
    return nil
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
  static func timestamp(_ b: UnsafeBufferPointer<UInt8>) throws(ActionError) -> Timestamp {
    func digits(_ from: Int, _ count: Int) -> Int64? {
      var v: Int64 = 0
      for i in from..<(from + count) {
        guard i < b.endIndex, b[i] >= 48, b[i] <= 57 else { return nil }
        v = v * 10 + Int64(b[i] - 48)
      }
      return v
    }
    let s = b.startIndex
    if b.count == 20, let y = digits(s, 4), b[s + 4] == 45, let mo = digits(s + 5, 2), b[s + 7] == 45,
      let d = digits(s + 8, 2), b[s + 10] == 84, let h = digits(s + 11, 2), b[s + 13] == 58,
      let mi = digits(s + 14, 2), b[s + 16] == 58, let se = digits(s + 17, 2), b[s + 19] == 90
    {
      do { return try Timestamp(year: y, month: mo, day: d, hour: h, minute: mi, second: se) } catch {
        throw ActionError(.invalidTimestamp, "'at' is not a valid time: '\(String(decoding: b, as: UTF8.self))'")
      }
    }
    let text = String(decoding: b, as: UTF8.self)
    do { return try Timestamp(rfc3339: text) } catch {
      throw ActionError(
        .invalidTimestamp, "'at' must be an RFC 3339 timestamp such as 2026-03-01T10:00:00Z, got '\(text)'")
    }
  }
}
