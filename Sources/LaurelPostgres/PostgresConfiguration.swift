import Foundation

/// Where a ``PostgresStore`` connects and how: parsed from a
/// `postgres://` URL, with libpq's environment variables (`PGHOST`,
/// `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`) and password
/// file (`PGPASSFILE`, else `~/.pgpass`) filling what the URL leaves out.
///
/// ```
/// postgres://laurel@db.internal/laurel?pool=16
/// postgres://laurel:secret@127.0.0.1:5433/laurel?sslmode=disable&statement_timeout=10
/// postgres:///laurel?host=/var/run/postgresql        (a Unix socket folder)
/// ```
///
/// Query options: `sslmode` (`disable`, `prefer` — the default —, `require`),
/// `pool` (most connections, default 8), `statement_timeout` (seconds,
/// default 30), `connect_timeout` (seconds, default 10), `schema` (a schema
/// of its own to keep Laurel's tables in, created when missing), `host` (a
/// socket folder or host name). The password never appears in descriptions
/// or errors.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
  public enum TLSMode: String, Sendable { case disable, prefer, require }

  public var host: String
  public var port: Int
  /// A folder holding the server's Unix socket (`host` starting with `/`); nil for TCP.
  public var socketFolder: String?
  public var user: String
  public var password: String?
  public var database: String
  public var tls: TLSMode
  /// The most connections the store opens.
  public var poolSize: Int
  /// How long one statement may run on the server before it is cancelled.
  public var statementTimeout: Duration
  public var connectTimeout: Duration
  /// The schema Laurel's tables live in (nil: the server's default, `public`).
  public var schema: String?

  /// Why a URL could not be used.
  public struct Invalid: Error, CustomStringConvertible {
    public var description: String
  }

  /// Parses `url`, reading what it leaves out from `environment` and the password file.
  public init(url: String, environment: [String: String]? = nil) throws {
    let environment = environment ?? ProcessInfo.processInfo.environment
    guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"),
      let components = URLComponents(string: url)
    else {
      throw Invalid(description: "not a PostgreSQL URL (postgres://user@host/database): \(Self.redacted(url))")
    }
    var options: [String: String] = [:]
    for item in components.queryItems ?? [] { options[item.name] = item.value ?? "" }
    let known: Set = ["sslmode", "pool", "statement_timeout", "connect_timeout", "schema", "host", "application_name"]
    if let unknown = options.keys.sorted().first(where: { !known.contains($0) }) {
      throw Invalid(
        description: "unknown option '\(unknown)' in the store URL (known: \(known.sorted().joined(separator: ", ")))")
    }
    let host = options["host"] ?? components.host.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGHOST"]
    self.host = host ?? "localhost"
    socketFolder = self.host.hasPrefix("/") ? self.host : nil
    if let port = components.port {
      self.port = port
    } else if let text = environment["PGPORT"] {
      guard let port = Int(text), (1...65535).contains(port) else {
        throw Invalid(description: "PGPORT is not a port: \(text)")
      }
      self.port = port
    } else {
      port = 5432
    }
    user =
      components.user.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
    let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
    database = path.isEmpty ? (environment["PGDATABASE"] ?? user) : path
    guard let mode = TLSMode(rawValue: options["sslmode"] ?? environment["PGSSLMODE"] ?? "prefer") else {
      throw Invalid(description: "sslmode must be disable, prefer or require")
    }
    tls = socketFolder != nil ? .disable : mode
    func positive(_ name: String, default value: Int) throws -> Int {
      guard let text = options[name] else { return value }
      guard let number = Int(text), number > 0, number <= 100_000 else {
        throw Invalid(description: "\(name) must be a positive whole number, not '\(text)'")
      }
      return number
    }
    poolSize = try positive("pool", default: 8)
    statementTimeout = .seconds(try positive("statement_timeout", default: 30))
    connectTimeout = .seconds(try positive("connect_timeout", default: 10))
    if let schema = options["schema"] {
      guard !schema.isEmpty, schema.utf8.count <= 63,
        schema.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }),
        !(0x30...0x39).contains(schema.utf8.first!)
      else {
        throw Invalid(description: "schema must be a lowercase name of letters, digits and _: '\(schema)'")
      }
      self.schema = schema
    }
    password =
      components.password.map { $0.removingPercentEncoding ?? $0 } ?? environment["PGPASSWORD"]
      ?? Self.passwordFile(environment).flatMap {
        Self.password(in: $0, host: self.host, port: self.port, database: database, user: user)
      }
  }

  /// The URL without its password.
  public var description: String {
    let location = socketFolder.map { "/\(database)?host=\($0)" } ?? "\(host):\(port)/\(database)"
    return "postgres://\(user)@\(location)"
  }

  /// `url` with any password replaced, for messages.
  static func redacted(_ url: String) -> String {
    guard var components = URLComponents(string: url), components.password != nil else { return url }
    components.password = "***"
    return components.string ?? "postgres://…"
  }

  private static func passwordFile(_ environment: [String: String]) -> String? {
    if let path = environment["PGPASSFILE"] { return try? String(contentsOfFile: path, encoding: .utf8) }
    guard let home = environment["HOME"] else { return nil }
    return try? String(contentsOfFile: home + "/.pgpass", encoding: .utf8)
  }

  /// The password of the first matching line of a `.pgpass` file
  /// (`host:port:database:user:password`, `*` matching anything, `\` escaping).
  static func password(in file: String, host: String, port: Int, database: String, user: String) -> String? {
    for line in file.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
      var fields: [String] = []
      var field = ""
      var escaped = false
      for character in line {
        if escaped {
          field.append(character)
          escaped = false
        } else if character == "\\" {
          escaped = true
        } else if character == ":" && fields.count < 4 {
          fields.append(field)
          field = ""
        } else {
          field.append(character)
        }
      }
      fields.append(field)
      guard fields.count == 5 else { continue }
      let wanted = [host, String(port), database, user]
      if zip(fields, wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
    }
    return nil
  }
}
