import Foundation
import LaurelDiagnostics
import LaurelRules
import Testing

/// Rule files built to exhaust the loader are refused at once, with a sentence.
@Suite struct HostileRuleFileTests {
  @Test func oneLongExpressionAliasedThousandsOfTimesIsRefused() throws {
    // 250 KB on disk, about 45 MB once every alias is expanded (it took 47 s and 2.4 GB).
    let expression = Array(repeating: "event.minutes", count: 600).joined(separator: " + ")
    var yaml = RuleFiles.base + "\nx: &e \"\(expression)\"\nactions:\n"
    for i in 0..<5_500 { yaml += "  a\(i): [ { award: { xp: *e } } ]\n" }
    #expect(
      try RuleFiles.diagnostics(yaml) == [
        "broken.yaml:1:1: error: the document expands to more than 2097152 bytes of text (are aliases used to multiply it?); rule files must stay small"
      ])
  }

  @Test func aHugeFileIsRefusedWithoutBeingRead() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-huge-\(UUID().uuidString).yaml")
    #expect(FileManager.default.createFile(atPath: file.path, contents: Data("scheme: x\n".utf8)))
    defer { try? FileManager.default.removeItem(at: file) }
    let handle = try FileHandle(forWritingTo: file)
    try handle.truncate(atOffset: 2 << 30)  // 2 GiB, sparse: nothing is written
    try handle.close()
    let diagnostics = RuleLoader().loadSchemes(paths: [file.path]).flatMap(\.diagnostics).map(\.message)
    #expect(diagnostics == ["the file is over 1048576 bytes; rule files are limited to 1048576 bytes"])
  }

  @Test func deeplyNestedYAMLIsRefusedInPlainWords() throws {
    let yaml = "scheme: x\nfoo: " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "\n"
    #expect(
      try RuleFiles.diagnostics(yaml) == [
        "broken.yaml:2:7: error: invalid YAML: the document nests too deeply; rule files nest a few levels at most"
      ])
  }

  @Test func sixtyFiveConditionsJoinedByAndAreFine() throws {
    let condition = Array(repeating: "event.minutes > 0", count: 65).joined(separator: " && ")
    let yaml = RuleFiles.base + "\nactions:\n  live_watched: [ { when: \"\(condition)\", award: { xp: 1 } } ]\n"
    #expect(try RuleFiles.diagnostics(yaml) == [])
  }
}

/// A folder without rule files is an error, not a silent success.
@Suite struct EmptyFolderTests {
  @Test func aFolderWithNoRuleFilesIsReported() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-empty-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let schemes = RuleLoader().loadSchemes(paths: [folder.path])
    #expect(schemes.flatMap(\.diagnostics).map(\.message) == ["no rule files (*.yaml, *.yml) in \(folder.path)"])
    #expect(schemes.allSatisfy { $0.rules == nil })
  }
}
