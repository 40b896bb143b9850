import PostgresNIO

extension PostgresStore {
  /// Why a database could not be opened as a Laurel store. Nothing was changed.
  public struct OpenError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
      /// The URL could not be understood.
      case invalidURL
      /// No server answered, or it refused the connection or the credentials.
      case unreachable
      /// The database was written by a newer Laurel.
      case newerVersion
      /// The database holds tables of the same names that Laurel did not create.
      case notLaurel
      /// A stored member state cannot be read.
      case damaged
    }

    public var kind: Kind
    public var description: String
  }

  /// Why a transaction wrote nothing (a lost connection, a timeout, a
  /// conflict that did not resolve, a refusal by the server).
  public struct WriteError: Error, CustomStringConvertible {
    public var description: String
  }

  /// Serialization failures and deadlocks: the batch is read and run again.
  static func isConflict(_ error: PSQLError) -> Bool {
    guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return false }
    return state == "40001" || state == "40P01"
  }

  /// A sentence for `error`, with the server's message, code and detail
  /// (postgres-nio's own description leaves them out). Never the password.
  static func explain(_ error: any Error) -> String {
    guard let error = error as? PSQLError else {
      let text = "\(error)"
      if text.contains("CircuitBreaker") { return "cannot connect to the server (every attempt failed)" }
      return text
    }
    switch error.code {
    case .server:
      let info = error.serverInfo
      let state = info?[.sqlState] ?? "?"
      var text = "\(info?[.message] ?? "the server refused the statement") (SQLSTATE \(state))"
      if let detail = info?[.detail] { text += ": \(detail)" }
      if state == "57014" { text += "; a statement ran longer than the statement timeout" }
      return text
    case .connectionError: return "cannot connect to the server: \(error.underlying.map { "\($0)" } ?? "no answer")"
    case .serverClosedConnection, .uncleanShutdown: return "the server closed the connection"
    case .clientClosedConnection, .poolClosed: return "the store was closed"
    case .queryCancelled: return "the statement was cancelled"
    case .authMechanismRequiresPassword: return "the server asks for a password and none was given"
    case .sslUnsupported: return "the server does not offer TLS (sslmode=require)"
    default: return "\(error.code)"
    }
  }
}
