import Foundation
import Laurel
import LaurelPostgres
import LaurelServer
import Logging
import NIOCore
import PostgresNIO

/// The PostgreSQL store, against the server `--postgres URL` names (start a
/// throwaway one with Benchmarks/Postgres/run.sh): batched ingest against
/// `COPY` of the same ledger and action-log rows; per-action durable writes
/// from 16 concurrent clients (group commit) against pgbench running seed
/// 004's transaction as written; 1, 2 and 4 ingest processes on one database.
enum PostgresBench {
  static func run(_ workload: Workload, events: Int, batchSize: Int, url: String) async throws {
    print("\n== PostgreSQL store (\(events) community events, \(url.split(separator: "?")[0]))")
    let lines = try String(contentsOf: workload.eventsFile, encoding: .utf8).split(separator: "\n").prefix(events)
      .map(String.init)
    var decoder = ActionDecoder(rules: workload.rules)
    decoder.keepsSource = true
    let actions = lines.compactMap { try? decoder.decode($0) }
    let run = UInt32.random(in: 0...UInt32.max)
    func schema(_ name: String) -> String { url + (url.contains("?") ? "&" : "?") + "schema=bench_\(run)_\(name)" }

    // Batched ingest: what `laurel ingest` does, in this process.
    let batchedURL = schema("batched")
    let store = try await PostgresStore(url: batchedURL)
    let engine = Engine(rules: workload.rules, store: store)
    let start = DispatchTime.now().uptimeNanoseconds
    var i = 0
    while i < actions.count {
      let batch = Array(actions[i..<min(i + batchSize, actions.count)])
      _ = try await engine.applyBatch(batch) { tx, outcomes in tx.add(EventCounts(outcomes)) }
      i += batchSize
    }
    let batched = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(
      "batched ingest (\(batchSize) per batch: one read and one write statement each): \(Measure.format(batched, 2)) s, \(Measure.format(Double(actions.count) / batched / 1e3, 1)) k actions/s"
    )

    // The physical limit: COPY of the same rows into tables like the store's.
    let copy = try await copySeconds(ledgerOf: store, actions: actions, url: schema("copy"))
    print(
      "COPY of the same \(actions.count) action-log rows and ledger rows into equivalent tables: \(Measure.format(copy, 2)) s; ratio \(Measure.format(copy / batched, 3)) (goal >= 0.5)"
    )
    await store.close()

    try await concurrentClients(workload, actions: Array(actions.prefix(40_000)), url: schema("durable"))
    try await pgbench(url: schema("pgbench"), users: 20_000)
    try processes(workload, lines: lines, url: { schema("processes\($0)") })
  }

  /// Seconds to COPY the batched store's action log and ledger into fresh tables with the same keys and indexes.
  static func copySeconds(ledgerOf store: PostgresStore, actions: [PreparedAction], url: String) async throws -> Double
  {
    let configuration = try PostgresConfiguration(url: url)
    let client = try await Connection(configuration)
    defer { client.close() }
    let ledger = try await client.rows(
      "SELECT scope_key, user_id, currency, amount::text, balance::text, rule, action_id, at::text FROM \(configuration.schema!.replacingOccurrences(of: "_copy", with: "_batched")).ledger ORDER BY seq"
    )
    let logged = try await client.rows(
      "SELECT id, type, at::text, body FROM \(configuration.schema!.replacingOccurrences(of: "_copy", with: "_batched")).actions ORDER BY seq"
    )
    for statement in [
      "CREATE SCHEMA \(configuration.schema!)",
      "CREATE TABLE \(configuration.schema!).actions (id text PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY, type text NOT NULL, at bigint NOT NULL, body text, rules_version bigint)",
      "CREATE UNIQUE INDEX ON \(configuration.schema!).actions (seq)",
      "CREATE TABLE \(configuration.schema!).ledger (scope_key text NOT NULL, user_id text NOT NULL, seq bigint GENERATED ALWAYS AS IDENTITY, currency text NOT NULL, amount bigint NOT NULL, balance bigint NOT NULL, rule text NOT NULL, action_id text NOT NULL, at bigint NOT NULL, rules_version bigint)",
      "CREATE INDEX ON \(configuration.schema!).ledger (scope_key, user_id, seq)",
      "CREATE INDEX ON \(configuration.schema!).ledger (scope_key, currency, at)",
    ] {
      try await client.execute(statement)
    }
    func escaped(_ text: String) -> String {
      var out = ""
      for character in text {
        switch character {
        case "\\": out += "\\\\"
        case "\t": out += "\\t"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        default: out.append(character)
        }
      }
      return out
    }
    let start = DispatchTime.now().uptimeNanoseconds
    try await client.copy(
      table: "actions", columns: ["id", "type", "at", "body"], rows: logged.map { $0.map(escaped) })
    try await client.copy(
      table: "ledger",
      columns: ["scope_key", "user_id", "currency", "amount", "balance", "rule", "action_id", "at"],
      rows: ledger.map { $0.map(escaped) })
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  /// 16 clients, each applying its actions one at a time and waiting for the
  /// commit; concurrent actions share a transaction (`laurel serve`'s group commit).
  static func concurrentClients(_ workload: Workload, actions: [PreparedAction], url: String) async throws {
    let store = try await PostgresStore(url: url)
    let batcher = CommitBatcher(engine: Engine(rules: workload.rules, store: store)) { _ in }
    let clients = 16
    let start = DispatchTime.now().uptimeNanoseconds
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
      for client in 0..<clients {
        group.addTask {
          var mine: [Double] = []
          for action in stride(from: client, to: actions.count, by: clients).map({ actions[$0] }) {
            let t = DispatchTime.now().uptimeNanoseconds
            _ = try await batcher.apply(action)
            mine.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
          }
          return mine
        }
      }
      var all: [Double] = []
      for try await part in group { all += part }
      return all.sorted()
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(
      "durable per-action writes, 16 concurrent clients (group commit), \(actions.count) actions: \(Measure.format(Double(actions.count) / seconds, 0)) actions/s, p50 \(Measure.format(latencies[latencies.count / 2], 2)) ms, p99 \(Measure.format(latencies[latencies.count * 99 / 100], 2)) ms"
    )
    await store.close()
  }

  /// Seed 004's design as written, one transaction per event: the member
  /// `SELECT … FOR UPDATE`, the transaction inserted, the member updated;
  /// pgbench, 16 clients, 2,500 transactions each (a count, not `-T`: a
  /// pgbench started from this process never received its timer's signal).
  static func pgbench(url: String, users: Int) async throws {
    let configuration = try PostgresConfiguration(url: url)
    let schema = configuration.schema!
    let client = try await Connection(configuration)
    for statement in [
      "CREATE SCHEMA \(schema)",
      "CREATE TABLE \(schema).user_points (community_id text, user_id text, total_points integer NOT NULL DEFAULT 0, current_level integer NOT NULL DEFAULT 1, PRIMARY KEY (community_id, user_id))",
      "CREATE TABLE \(schema).points_transactions (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, community_id text, user_id text, event_id text UNIQUE, points integer, event_type text, created_at timestamptz DEFAULT now())",
      "INSERT INTO \(schema).user_points (community_id, user_id) SELECT 'c1', 'u' || g FROM generate_series(1, \(users)) g",
    ] {
      try await client.execute(statement)
    }
    client.close()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-pgbench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let script = folder.appendingPathComponent("seed004.sql").path
    try """
    \\set uid random(1, \(users))
    BEGIN;
    SELECT total_points FROM \(schema).user_points WHERE community_id = 'c1' AND user_id = 'u' || :uid FOR UPDATE;
    INSERT INTO \(schema).points_transactions (community_id, user_id, event_id, points, event_type) VALUES ('c1', 'u' || :uid, md5(random()::text || clock_timestamp()::text), 1, 'post_liked');
    UPDATE \(schema).user_points SET total_points = total_points + 1 WHERE community_id = 'c1' AND user_id = 'u' || :uid;
    COMMIT;
    """.write(toFile: script, atomically: true, encoding: .utf8)
    let output = folder.appendingPathComponent("pgbench.out").path
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    var command = [
      "/usr/bin/env", "pgbench", "-n", "-c", "16", "-j", "2", "-t", "2500", "-f", script, "-h",
      configuration.socketFolder ?? configuration.host, "-p", "\(configuration.port)", "-U", configuration.user,
      "--log", "--log-prefix", folder.appendingPathComponent("log").path, configuration.database,
    ]
    if let password = configuration.password { command.insert("PGPASSWORD=\(password)", at: 1) }
    _ = try Measure.run(command, stdout: output)
    let text = try String(contentsOfFile: output, encoding: .utf8)
    let tps = text.split(separator: "\n").first { $0.hasPrefix("tps") }.map(String.init) ?? "?"
    var latencies: [Double] = []
    for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasPrefix("log") {
      for line in try String(contentsOfFile: folder.appendingPathComponent(file).path, encoding: .utf8).split(
        separator: "\n")
      {
        let fields = line.split(separator: " ")
        if fields.count > 2, let micros = Double(fields[2]) { latencies.append(micros / 1e3) }
      }
    }
    latencies.sort()
    let p50 = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
    let p99 = latencies.isEmpty ? 0 : latencies[latencies.count * 99 / 100]
    print(
      "pgbench, seed 004's transaction per event (SELECT … FOR UPDATE, INSERT, UPDATE), 16 clients × 2,500: \(tps); p50 \(Measure.format(p50, 2)) ms, p99 \(Measure.format(p99, 2)) ms (goal: Laurel >= 2x)"
    )
  }

  /// `laurel ingest` in 1, 2 and 4 processes at once, on interleaved shards of the history.
  static func processes(_ workload: Workload, lines: [String], url: (Int) -> String) throws {
    let laurel = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
      "laurel"
    ).path
    guard FileManager.default.isExecutableFile(atPath: laurel) else {
      print("(no laurel binary beside laurel-bench: build it with -c release to measure ingest processes)")
      return
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("laurel-shards-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    for count in [1, 2, 4] {
      let target = url(count)
      let empty = folder.appendingPathComponent("empty.jsonl").path
      _ = FileManager.default.createFile(atPath: empty, contents: Data())
      _ = try Measure.run([laurel, "ingest", "--rules", workload.rulesPath, "--store", target, "--events", empty])
      var processes: [Process] = []
      let start = DispatchTime.now().uptimeNanoseconds
      for shard in 0..<count {
        let path = folder.appendingPathComponent("shard-\(count)-\(shard).jsonl").path
        try (stride(from: shard, to: lines.count, by: count).map { lines[$0] }.joined(separator: "\n") + "\n").write(
          toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: laurel)
        process.arguments = [
          "ingest", "--rules", workload.rulesPath, "--store", target, "--events", path, "--batch", "5000",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        processes.append(process)
      }
      for process in processes { try process.run() }
      for process in processes { process.waitUntilExit() }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      let failed = processes.filter { $0.terminationStatus != 0 }.count
      print(
        "\(count) ingest process\(count == 1 ? "" : "es") on one database (5000 per batch): \(Measure.format(seconds, 2)) s, \(Measure.format(Double(lines.count) / seconds / 1e3, 1)) k actions/s\(failed > 0 ? " (\(failed) failed)" : "")"
      )
    }
  }
}

/// One plain connection for the benchmark's own statements and COPY.
final class Connection: Sendable {
  let client: PostgresClient
  let runner: Task<Void, Never>
  let logger = Logger(label: "laurel-bench")

  init(_ configuration: PostgresConfiguration) async throws {
    var client = PostgresClient.Configuration(
      host: configuration.host, port: configuration.port, username: configuration.user,
      password: configuration.password, database: configuration.database, tls: .disable)
    // COPY names its table unqualified: the schema comes first on the search path.
    if let schema = configuration.schema { client.options.additionalStartupParameters = [("search_path", schema)] }
    self.client = PostgresClient(configuration: client)
    runner = Task { [client = self.client] in await client.run() }
  }

  func close() { runner.cancel() }

  func execute(_ sql: String) async throws {
    try await client.withConnection { connection in
      for try await _ in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) {}
    }
  }

  /// Every row of `sql`, each column as text (NULL as an empty string).
  func rows(_ sql: String) async throws -> [[String]] {
    try await client.withConnection { connection in
      var result: [[String]] = []
      for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
        result.append(row.map { cell in (try? cell.decode(String?.self)).flatMap { $0 } ?? "" }.map { $0 })
      }
      return result
    }
  }

  /// COPY FROM of text rows (already escaped), 10,000 rows a write.
  func copy(table: String, columns: [String], rows: [[String]]) async throws {
    try await client.withConnection { connection in
      try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
        var buffer = ByteBuffer()
        for (i, row) in rows.enumerated() {
          buffer.writeString(row.joined(separator: "\t"))
          buffer.writeString("\n")
          if i % 10_000 == 9_999 {
            try await writer.write(buffer)
            buffer.clear()
          }
        }
        if buffer.readableBytes > 0 { try await writer.write(buffer) }
      }
    }
  }
}
