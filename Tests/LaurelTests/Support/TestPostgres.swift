import Foundation
import Synchronization

/// PostgreSQL servers for tests: real ones, never a mock.
///
/// ``shared()`` is `LAUREL_POSTGRES_URL` when it is set, else a throwaway
/// cluster this test process starts once (`initdb` into a temporary folder,
/// `pg_ctl` on a free port on 127.0.0.1, stopped and removed when the
/// process exits). ``Cluster/start()`` gives a test a cluster of its own (to
/// stop it under load). As root, the cluster runs as the `postgres` user in
/// a folder it owns (`initdb` refuses root). Where no PostgreSQL is
/// installed the tests say so and pass, except under `CI=true`, where a
/// missing server fails them.
enum TestPostgres {
  struct Unavailable: Error, CustomStringConvertible {
    var description: String
  }

  /// Whether a missing server fails the tests (it does in CI).
  static var required: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

  /// The base URL of the shared server, or nil (with a note) when there is none outside CI.
  static func shared() async throws -> String? {
    if let url = ProcessInfo.processInfo.environment["LAUREL_POSTGRES_URL"], !url.isEmpty { return url }
    switch await sharedCluster.value {
    // A longer connect timeout than the default 10 s: the test process runs
    // every suite at once on few cores, and a store's open can wait its turn.
    case .success(let cluster): return cluster.url + "&connect_timeout=60"
    case .failure(let error):
      if required { throw error }
      print("note: PostgreSQL tests skipped: \(error)")
      return nil
    }
  }

  /// A URL of the shared server naming a schema of its own, so each store
  /// starts empty; nil when there is no server (outside CI).
  static func freshStoreURL() async throws -> String? {
    guard let base = try await shared() else { return nil }
    let schema = "t\(UInt64.random(in: 0...UInt64.max))"
    return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
  }

  /// Started on first use, on a thread of its own (`initdb` and `pg_ctl`
  /// take seconds; suites waiting for it must not hold the threads tasks share).
  private static let sharedCluster = Task<Result<Cluster, Unavailable>, Never> {
    let started: Result<Cluster, Unavailable>
    do { started = .success(try await onOwnThread { try Cluster.start() }) } catch {
      started = .failure(error as? Unavailable ?? Unavailable(description: "\(error)"))
    }
    if case .success(let server) = started {
      stopAtExit.withLock { $0.append(server) }
      atexit { TestPostgres.stopAll() }
    }
    return started
  }
  private static let stopAtExit = Mutex<[Cluster]>([])

  static func stopAll() {
    for cluster in stopAtExit.withLock({ $0 }) { cluster.remove() }
  }

  /// A PostgreSQL cluster in a temporary folder.
  struct Cluster: Sendable {
    let folder: String
    let port: Int
    let binaries: String
    let asPostgresUser: Bool

    var url: String { "postgres://laurel@127.0.0.1:\(port)/postgres?sslmode=disable" }
    var data: String { folder + "/data" }

    /// Creates and starts a cluster (fsync off unless `durable`).
    static func start(durable: Bool = false) throws -> Cluster {
      guard let binaries = findBinaries() else {
        throw Unavailable(description: "no PostgreSQL server binaries (apt install postgresql)")
      }
      let root = getuid() == 0
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "laurel-pg-\(UInt32.random(in: 0...UInt32.max))"
      ).path
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      if root {
        guard let postgres = getpwnam("postgres") else {
          throw Unavailable(description: "running as root and there is no 'postgres' user to run initdb as")
        }
        chown(folder, postgres.pointee.pw_uid, postgres.pointee.pw_gid)
      }
      let cluster = Cluster(folder: folder, port: try freePort(), binaries: binaries, asPostgresUser: root)
      try cluster.run(
        "initdb", ["-D", cluster.data, "-U", "laurel", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"])
      try cluster.startServer(durable: durable)
      return cluster
    }

    /// Starts the (stopped) server again.
    func startServer(durable: Bool = false) throws {
      let options =
        "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB"
        + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
      try run("pg_ctl", ["-D", data, "-l", folder + "/server.log", "-o", options, "-w", "-t", "60", "start"])
    }

    /// Stops the server: `fast` (clean) or `immediate` (like a crash: no checkpoint, recovery on the next start).
    func stop(mode: String = "fast") throws {
      try run("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"])
    }

    /// Stops the server and deletes the folder.
    func remove() {
      try? stop(mode: "immediate")
      try? FileManager.default.removeItem(atPath: folder)
    }

    /// The text `sql` answers (through `psql`, on the calling thread).
    func answer(_ sql: String) throws -> String {
      try run("psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "laurel", "-d", "postgres", "-tAc", sql])
        .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs one of the server's programs (as `postgres` when the tests run as root); its output.
    ///
    /// posix_spawn and waitpid, not Foundation's Process: its wait never
    /// returned for a `pg_ctl start` run through `runuser` (the child stayed a zombie).
    @discardableResult
    func run(_ program: String, _ arguments: [String]) throws -> String {
      let command =
        asPostgresUser
        ? ["/usr/sbin/runuser", "-u", "postgres", "--", binaries + "/" + program] + arguments
        : [binaries + "/" + program] + arguments
      let outputPath = folder + "/\(program).out"
      var actions = posix_spawn_file_actions_t()
      posix_spawn_file_actions_init(&actions)
      defer { posix_spawn_file_actions_destroy(&actions) }
      posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
      posix_spawn_file_actions_adddup2(&actions, 1, 2)
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
      var argv = command.map { strdup($0) } + [nil]
      defer { for pointer in argv { free(pointer) } }
      var pid: pid_t = 0
      let spawned = folder.withCString { _ in posix_spawn(&pid, command[0], &actions, nil, &argv, environ) }
      guard spawned == 0 else { throw Unavailable(description: "cannot run \(command[0]): error \(spawned)") }
      var status: Int32 = 0
      while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
      let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
      // Exited normally with status 0.
      guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
        let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
        throw Unavailable(description: "\(program) failed (status \(status)): \(text)\n\(log.suffix(2000))")
      }
      return text
    }

    private static func findBinaries() -> String? {
      let root = "/usr/lib/postgresql"
      let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
        .compactMap(Int.init).sorted(by: >)
      for version in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
        return "\(root)/\(version)/bin"
      }
      for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
      where FileManager.default.isExecutableFile(atPath: "\(folder)/initdb")
        && FileManager.default.isExecutableFile(
          atPath: "\(folder)/pg_ctl")
      {
        return String(folder)
      }
      return nil
    }

    /// A TCP port nobody listens on now.
    private static func freePort() throws -> Int {
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      defer { close(fd) }
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      address.sin_port = 0
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
          guard bind(fd, pointer, length) == 0 else { return -1 }
          return getsockname(fd, pointer, &length)
        }
      }
      guard bound == 0 else { throw Unavailable(description: "no free TCP port on 127.0.0.1") }
      return Int(UInt16(bigEndian: address.sin_port))
    }
  }
}
