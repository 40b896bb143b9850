// swift-tools-version: 6.2
import PackageDescription

/// Settings every Laurel target shares: Swift 6 language mode plus the
/// upcoming features STYLE.md asks for.
/// `LAUREL_WARNINGS_AS_ERRORS=1 swift build` (what CI runs) fails on any
/// warning in Laurel's own targets; dependencies are not affected.
let swiftSettings: [SwiftSetting] =
  [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
  ] + (Context.environment["LAUREL_WARNINGS_AS_ERRORS"] != nil ? [.treatAllWarnings(as: .error)] : [])

let package = Package(
  name: "Laurel",
  // Synchronization's Mutex sets the floor: macOS 15, iOS 18 and their peers.
  platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2)],
  products: [
    .library(name: "Laurel", targets: ["Laurel"]),
    .library(name: "LaurelRules", targets: ["LaurelRules"]),
    .library(name: "LaurelExpression", targets: ["LaurelExpression"]),
    .library(name: "LaurelSQLite", targets: ["LaurelSQLite"]),
    .library(name: "LaurelPostgres", targets: ["LaurelPostgres"]),
    .library(name: "LaurelReplay", targets: ["LaurelReplay"]),
    .library(name: "LaurelReports", targets: ["LaurelReports"]),
    .library(name: "LaurelServer", targets: ["LaurelServer"]),
    .library(name: "LaurelPlayground", targets: ["LaurelPlayground"]),
    .executable(name: "laurel", targets: ["laurel"]),
  ],
  dependencies: [
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
    .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
    .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
  ],
  targets: [
    // Source locations and diagnostics; depends on nothing.
    .target(name: "LaurelDiagnostics", swiftSettings: swiftSettings),
    // The CEL subset: parse, check, plan, evaluate.
    .target(name: "LaurelExpression", dependencies: ["LaurelDiagnostics"], swiftSettings: swiftSettings),
    // A cache prefetch hint, which Swift cannot express (one inline C function).
    .target(name: "CLaurelPrefetch"),
    // The engine core: rule model, compiler, engine, store contract, in-memory
    // store, read model. No YAML, no SQL, no files, no threads.
    .target(
      name: "Laurel", dependencies: ["LaurelDiagnostics", "LaurelExpression", "CLaurelPrefetch"],
      swiftSettings: swiftSettings),
    // Replaying histories: the one JSONL history reader, read-ahead on a
    // thread of its own, and in-memory simulation of a file.
    .target(name: "LaurelReplay", dependencies: ["Laurel", "LaurelExpression"], swiftSettings: swiftSettings),
    // Reports for people and tools: simulation and rule-change (diff)
    // reports as tables, JSON and HTML.
    .target(
      name: "LaurelReports", dependencies: ["Laurel", "LaurelReplay", "LaurelExpression"],
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
    // The shared store: PostgreSQL through postgres-nio, for several app
    // instances on one database.
    .target(
      name: "LaurelPostgres",
      dependencies: [
        "Laurel", "LaurelExpression", .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
      ],
      swiftSettings: swiftSettings),
    // `laurel serve`: the seeds' HTTP API over an admin store, with JWT roles,
    // ingestion, a webhook outbox, server-sent events, metrics and tracing.
    .target(
      name: "LaurelServer",
      dependencies: [
        "Laurel", "LaurelExpression", "LaurelSQLite",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
        .product(name: "JWTKit", package: "jwt-kit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
      ],
      resources: [.copy("Resources/openapi.json")],
      swiftSettings: swiftSettings),
    // `laurel playground`: a local web page (Playground/Web, served from
    // this module's resources) where product teams edit rules and see, live,
    // who would gain or lose what.
    .target(
      name: "LaurelPlayground",
      dependencies: [
        "Laurel", "LaurelRules", "LaurelDiagnostics", "LaurelExpression", "LaurelReplay", "LaurelReports",
        "LaurelSQLite", .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
      ],
      path: "Playground", exclude: ["Tests", "README.md"], sources: ["Sources"], resources: [.copy("Web")],
      swiftSettings: swiftSettings),
    // Test support: the conformance suite every Store must pass, and the engine fuzzing harness.
    .target(
      name: "LaurelTesting",
      dependencies: ["Laurel", "LaurelExpression", "LaurelRules", "LaurelReplay", "LaurelReports"],
      swiftSettings: swiftSettings),
    .executableTarget(
      name: "laurel",
      dependencies: [
        "Laurel", "LaurelRules", "LaurelDiagnostics", "LaurelSQLite", "LaurelPostgres", "LaurelReplay", "LaurelReports",
        "LaurelServer", "LaurelPlayground", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings),
    .executableTarget(
      name: "laurel-bench",
      dependencies: [
        "Laurel", "LaurelRules", "LaurelExpression", "LaurelSQLite", "LaurelReplay", "LaurelReports",
        "LaurelPostgres", "LaurelServer", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
      ],
      path: "Benchmarks/LaurelBench",
      swiftSettings: swiftSettings),
    .testTarget(
      name: "LaurelExpressionTests", dependencies: ["LaurelExpression", "LaurelDiagnostics"],
      exclude: ["conformance-deferred.txt", "Conformance"], swiftSettings: swiftSettings),
    .testTarget(
      name: "LaurelTests",
      dependencies: [
        "Laurel", "LaurelRules", "LaurelExpression", "LaurelTesting", "LaurelSQLite", "LaurelReplay", "LaurelReports",
        "LaurelPostgres", .product(name: "GRDB", package: "GRDB.swift"),
        // Built with the tests, so suites that run `laurel` run the binary of
        // these sources, never a stale one.
        "laurel",
      ],
      exclude: ["Golden"], swiftSettings: swiftSettings),
    .testTarget(
      name: "LaurelServerTests",
      dependencies: [
        "LaurelServer", "Laurel", "LaurelRules", "LaurelSQLite",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "JWTKit", package: "jwt-kit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
      ],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "LaurelPlaygroundTests",
      dependencies: [
        "LaurelPlayground", "Laurel", "LaurelRules", "LaurelSQLite", "LaurelReports", "LaurelReplay",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        // The browser tests drive the built binary.
        "laurel",
      ],
      swiftSettings: swiftSettings),
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
