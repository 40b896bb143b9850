import Foundation
import LaurelDiagnostics
import LaurelRules
import Testing
import Yams

/// The published schemas cannot drift from the loader: they are generated
/// from the loader's key tables, the committed files must equal what is
/// generated, and a file using every key loads cleanly.
@Suite struct SchemaTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  @Test(arguments: Schemas.all.map(\.file))
  func committedSchemaMatchesTheLoadersKeys(file: String) throws {
    let committed = try String(contentsOf: Self.repository.appendingPathComponent("schemas/\(file)"), encoding: .utf8)
    let generated = Schemas.all.first { $0.file == file }!.schema().rendered()
    #expect(committed == generated, "schemas/\(file) is stale: run `swift run laurel schema --write schemas`")
  }

  @Test func aFileUsingEveryKeyLoadsWithoutProblems() throws {
    let path = Self.repository.appendingPathComponent("Tests/LaurelRulesTests/Fixtures/kitchen-sink.yaml").path
    let schemes = RuleLoader().loadSchemes(paths: [path])
    let problems = schemes.reduce(into: [String]()) { $0 += $1.diagnostics.map(\.description) }
    #expect(problems.isEmpty, "\(problems)")
    #expect(schemes.first?.rules != nil)
  }

  @Test func theKitchenSinkUsesEveryKeyOfEveryTable() throws {
    let text = try String(
      contentsOfFile: Self.repository.appendingPathComponent("Tests/LaurelRulesTests/Fixtures/kitchen-sink.yaml").path,
      encoding: .utf8)
    let root = try #require(try Yams.compose(yaml: text))
    var used = Set<String>()
    func walk(_ node: Node, path: String) {
      if let mapping = node.mapping {
        for (k, v) in mapping {
          let key = k.string ?? ""
          used.insert(path + "." + key)
          walk(v, path: path + "." + key)
        }
      } else if let sequence = node.sequence {
        for item in sequence { walk(item, path: path) }
      }
    }
    walk(root, path: "")
    let usedNames = Set(used.map { String($0.split(separator: ".").last ?? "") })
    let tables: [[RuleKeys.Key]] = [
      RuleKeys.top, RuleKeys.members, RuleKeys.trait, RuleKeys.currency, RuleKeys.counter, RuleKeys.progress,
      RuleKeys.streak, RuleKeys.rule, RuleKeys.bonus, RuleKeys.cap, RuleKeys.ladder, RuleKeys.tier, RuleKeys.badge,
      RuleKeys.gate, RuleKeys.leaderboard,
    ]
    let missing = tables.flatMap { $0.map(\.name) }.filter { !usedNames.contains($0) }
    #expect(missing == [], "keys the kitchen sink does not exercise")
  }
}
