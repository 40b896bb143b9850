import Foundation
import Laurel
import LaurelReplay
import LaurelReports
import Testing

/// Malformed action lines are rejected with a reason that says what is
/// wrong, never repaired or read last-wins.
@Suite struct ActionDecodingTests {
  let decoder = ActionDecoder(rules: try! Scenario("community-points.yaml").rules)

  func reason(_ bytes: [UInt8]) -> String? {
    bytes.withUnsafeBufferPointer { buffer in
      var action = PreparedAction()
      do throws(ActionError) {
        try decoder.decode(buffer, into: &action)
        return nil
      } catch {
        return error.message
      }
    }
  }

  func line(_ id: [UInt8] = Array("e1".utf8), extra: String = "") -> [UInt8] {
    Array(#"{"id":""#.utf8) + id
      + Array(
        #"","type":"post_created","at":"2026-03-01T10:00:00Z","user":"u","community":"c1","author":"u","post":"p1"\#(extra)}"#
          .utf8)
  }

  @Test(
    arguments: [
      ([0xFF], "lone byte"), ([0xFE], "another lone byte"), ([0xC0, 0xAF], "overlong '/'"),
      ([0xED, 0xA0, 0x80], "a surrogate"),
      ([0xF4, 0x90, 0x80, 0x80], "above U+10FFFF"), ([0xE2, 0x82], "truncated"), ([0x80], "a continuation byte alone"),
    ] as [([UInt8], String)])
  func invalidUTF8IsRejectedNotRepaired(bad: [UInt8], what: String) {
    #expect(reason(line(Array("e".utf8) + bad)) == "invalid UTF-8 at byte 9: actions must be UTF-8 text", "\(what)")
  }

  @Test func wellFormedUTF8OfEveryLengthIsAccepted() {
    #expect(reason(line(Array("é€😀-ñ".utf8))) == nil)
    #expect(reason(line(Array(String(repeating: "añ😀", count: 40).utf8))) == nil)
  }

  @Test(arguments: [
    (#","id":"e2""#, "key 'id' appears twice in the action"),
    (#","user":"v""#, "key 'user' appears twice in the action"),
    (#","author":"v""#, "key 'author' appears twice in the action"),
  ])
  func aKeyGivenTwiceIsRejected(extra: String, expected: String) {
    #expect(reason(line(extra: extra)) == expected)
  }

  @Test func numbersAndTimeOffsetsOutOfRangeAreRejected() {
    #expect(reason(line(extra: #","n":1e400"#)) == "invalid JSON at byte 119: number 1e400 is too large")
    let late = Array(#"{"id":"e1","type":"post_created","at":"2026-03-01T10:00:00+99:99","user":"u"}"#.utf8)
    #expect(reason(late)?.hasPrefix("'at' must be an RFC 3339 timestamp") == true)
  }
}
