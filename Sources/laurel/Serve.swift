import ArgumentParser
import Foundation
import Laurel
import LaurelSQLite
import LaurelServer
import Logging

/// `laurel serve`: the HTTP API over a store (SQLite, or PostgreSQL shared by several instances).
struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Serve the seeds' HTTP API: levels, courses, profiles, leaderboards, admin, ingestion, events.",
    discussion: """
      Listens on 127.0.0.1:8080 unless told otherwise. Every route but /health, /ready, /metrics and \
      /openapi.json needs a bearer token (see laurel token). SIGTERM or SIGINT stops accepting, finishes \
      requests in flight, ends event streams and drains the outbox to webhooks, then exits 0. \
      Commits wait for the disk (--synchronous full) unless told otherwise: an answer comes after a \
      commit that survives a power loss.
      """)

  @Option(help: "Rule file or folder of one scheme.") var rules: String
  @OptionGroup var options: StoreOptions
  @Option(help: "The address to listen on.") var host = "127.0.0.1"
  @Option(help: "The port (0 picks a free one, printed at start).") var port = 8080
  @Option(help: "A file holding the HS256 secret (at least 32 bytes).") var jwtSecretFile: String?
  @Option(help: "A JWKS file of public keys for RS256, ES256 and EdDSA tokens.") var jwks: String?
  @Option(help: "The audience tokens must name.") var audience = "laurel"
  @Option(help: "The issuer tokens must name (unchecked when absent).") var issuer: String?
  @Option(help: "A URL to deliver events to (signed webhooks); repeatable.") var webhook: [String] = []
  @Option(help: "A file holding the webhooks' HMAC key.") var webhookSecretFile: String?
  @Option(help: "The ladder seed 004's level endpoints show (default: the first overridable one).") var ladder: String?
  @Option(help: "The gate of the course endpoints (default: the first).") var gate: String?
  @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

  func validate() throws {
    guard jwtSecretFile != nil || jwks != nil else {
      throw ValidationError("give --jwt-secret-file or --jwks: every API route checks tokens")
    }
    guard webhook.isEmpty || webhookSecretFile != nil else {
      throw ValidationError("--webhook needs --webhook-secret-file (deliveries are signed)")
    }
    guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown log level '\(logLevel)'") }
  }

  func run() async throws {
    let compiled = try Output.loadRules([rules])
    var storeOptions = options
    if storeOptions.synchronous == .normal, !CommandLine.arguments.contains(where: { $0.hasPrefix("--synchronous") }) {
      storeOptions.synchronous = .full  // answers come after a commit that survives a power loss
    }
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = Logger.Level(rawValue: logLevel) ?? .info
      return handler
    }
    let store = try await storeOptions.openStore()
    try await Ingest.adopt(compiled, rules: rules, into: store, droppingRemovedState: false)
    try await serve(compiled, store: store)
  }

  private func serve<S: CommandStore>(_ compiled: CompiledRules, store: S) async throws {
    var configuration = ServerConfiguration(
      tokens: TokenSettings(
        secret: try jwtSecretFile.map(Self.secret),
        jwks: try jwks.map { try String(contentsOfFile: $0, encoding: .utf8) },
        audience: audience, issuer: issuer))
    configuration.host = host
    configuration.port = port
    configuration.ladder = ladder
    configuration.gate = gate
    if let file = webhookSecretFile {
      let key = try Self.secret(file)
      configuration.webhooks = webhook.map { ServerConfiguration.Webhook(url: $0, secret: key) }
    }
    Observability.bootstrap()
    let server: LaurelServer<S>
    do {
      server = try await LaurelServer(engine: Engine(rules: compiled, store: store), configuration: configuration)
    } catch {
      Output.error("laurel: \(error)")
      throw ExitCode(1)
    }
    try await server.run { port in
      Output.error("laurel: serving \(compiled.scheme) on http://\(host):\(port)")
    }
  }

  /// A secret file's bytes, without a trailing newline.
  static func secret(_ path: String) throws -> [UInt8] {
    guard var bytes = FileManager.default.contents(atPath: path).map(Array.init) else {
      Output.error("laurel: cannot read \(path)")
      throw ExitCode(1)
    }
    while let last = bytes.last, last == 0x0a || last == 0x0d { bytes.removeLast() }
    return bytes
  }
}

/// `laurel token`: mints a token for development and tests.
struct Token: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print an HS256 token signed with the server's secret (for development and tests).")

  @Option(help: "A file holding the HS256 secret.") var jwtSecretFile: String
  @Option(help: "The subject (user id).") var sub: String
  @Option(help: "A community the subject is a member of; repeatable.") var member: [String] = []
  @Option(help: "A community the subject administers; repeatable.") var admin: [String] = []
  @Flag(help: "The global admin role (seed 000's admin API).") var globalAdmin = false
  @Flag(help: "The service role (ingestion and the event stream).") var service = false
  @Option(help: "The audience.") var audience = "laurel"
  @Option(help: "The issuer.") var issuer: String?
  @Option(help: "Lifetime: 30s, 15m, 1h, 7d.") var expiresIn = "1h"

  func run() async throws {
    guard let seconds = Self.seconds(expiresIn) else {
      throw ValidationError("--expires-in takes a number and a unit: 30s, 15m, 1h, 7d")
    }
    let secret = try Serve.secret(jwtSecretFile)
    guard secret.count >= 32 else {
      Output.error("laurel: the secret must be at least 32 bytes")
      throw ExitCode(1)
    }
    let issuer = await TokenIssuer(secret: secret, audience: audience, issuer: self.issuer)
    var roles: [String] = []
    if globalAdmin { roles.append("admin") }
    if service { roles.append("service") }
    try Output.print(
      try await issuer.token(subject: sub, members: member, admins: admin, roles: roles, expiresIn: seconds))
  }

  static func seconds(_ text: String) -> TimeInterval? {
    guard let unit = text.last, let n = Double(text.dropLast()), n > 0 else { return nil }
    switch unit {
    case "s": return n
    case "m": return n * 60
    case "h": return n * 3600
    case "d": return n * 86_400
    default: return nil
    }
  }
}
