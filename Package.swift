// swift-tools-version: 6.1
import PackageDescription

/// Settings every Laurel target shares: Swift 6 language mode plus the
/// upcoming features STYLE.md asks for.
let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
  name: "Laurel",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "Laurel", targets: ["Laurel"]),
    .library(name: "LaurelRules", targets: ["LaurelRules"]),
    .library(name: "LaurelExpression", targets: ["LaurelExpression"]),
    .library(name: "LaurelSQLite", targets: ["LaurelSQLite"]),
    .executable(name: "laurel", targets: ["laurel"]),
  ],
  dependencies: [
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
  ],
  targets: [
    // Source locations and diagnostics; depends on nothing.
    .target(name: "LaurelDiagnostics", swiftSettings: swiftSettings),
    // The CEL subset: parse, check, plan, evaluate.
    .target(name: "LaurelExpression", dependencies: ["LaurelDiagnostics"], swiftSettings: swiftSettings),
    // A cache prefetch hint, which Swift cannot express (one inline C function).
    .target(name: "CLaurelPrefetch"),
    // The engine core: rule model, compiler, engine, stores, simulation. No YAML, no SQL.
    .target(
      name: "Laurel", dependencies: ["LaurelDiagnostics", "LaurelExpression", "CLaurelPrefetch"],
      swiftSettings: swiftSettings),
    // YAML rule files -> RuleBook, with file:line:column diagnostics.
    .target(
      name: "LaurelRules",
      dependencies: ["Laurel", "LaurelDiagnostics", "LaurelExpression", .product(name: "Yams", package: "Yams")],
      swiftSettings: swiftSettings),
    // The embedded default store: SQLite through GRDB.
    .target(
      name: "LaurelSQLite",
      dependencies: [
        "Laurel", "LaurelExpression", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
      ],
      swiftSettings: swiftSettings),
    // Test support: the conformance suite every Store must pass, and the engine fuzzing harness.
    .target(
      name: "LaurelTesting", dependencies: ["Laurel", "LaurelExpression", "LaurelRules"], swiftSettings: swiftSettings),
    .executableTarget(
      name: "laurel",
      dependencies: [
        "Laurel", "LaurelRules", "LaurelDiagnostics", "LaurelSQLite",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: swiftSettings),
    .executableTarget(
      name: "laurel-bench",
      dependencies: ["Laurel", "LaurelRules", "LaurelExpression", "LaurelSQLite"],
      path: "Benchmarks/LaurelBench",
      swiftSettings: swiftSettings),
    .testTarget(
      name: "LaurelExpressionTests", dependencies: ["LaurelExpression", "LaurelDiagnostics"],
      exclude: ["conformance-deferred.txt", "Conformance"], swiftSettings: swiftSettings),
    .testTarget(
      name: "LaurelTests",
      dependencies: [
        "Laurel", "LaurelRules", "LaurelExpression", "LaurelTesting", "LaurelSQLite",
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      exclude: ["Golden"], swiftSettings: swiftSettings),
    .testTarget(
      name: "LaurelRulesTests",
      dependencies: ["LaurelRules", "Laurel", "LaurelDiagnostics", .product(name: "Yams", package: "Yams")],
      exclude: ["Fixtures"], swiftSettings: swiftSettings),
  ]
)

// The libFuzzer target, only when Scripts/fuzz.sh asks for it: every other
// build would fail to link libFuzzer's own `main`.
if Context.environment["LAUREL_FUZZ"] != nil {
  package.targets.append(
    .executableTarget(
      name: "laurel-fuzz", dependencies: ["LaurelTesting"], path: "Fuzz/LaurelFuzz",
      swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library", "-sanitize=fuzzer"])],
      linkerSettings: [.unsafeFlags(["-sanitize=fuzzer"])]))
}
