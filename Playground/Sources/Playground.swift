public import Foundation
import HTTPTypes
package import Hummingbird
import Logging
import NIOCore
import Synchronization

/// How `laurel playground` starts.
public struct PlaygroundConfiguration: Sendable {
  /// The rules folder (or one file in it): the only place rule files are read from and saved to.
  public var rules: String
  /// Histories to offer (JSONL); `examples/*.jsonl` beside the rules are offered too.
  public var events: [String] = []
  /// SQLite stores whose action logs can be replayed.
  public var stores: [String] = []
  /// The address to listen on: loopback unless told otherwise.
  public var host = "127.0.0.1"
  /// The port; 0 picks a free one.
  public var port = 8787
  /// Largest history upload accepted.
  public var maxUploadBytes = 256 << 20
  /// The per-launch secret every API request carries (`X-Laurel-Token`).
  public var token: String

  public init(rules: String) {
    self.rules = rules
    var generator = SystemRandomNumberGenerator()
    token = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
  }
}

/// Why the playground cannot start.
public struct PlaygroundStartError: Error, CustomStringConvertible, Sendable {
  public var description: String
}

/// The playground: a local web page, served by Hummingbird, where a product
/// team edits rule files and sees, live, who would gain or lose what.
///
/// ```swift
/// var configuration = PlaygroundConfiguration(rules: "rules/")
/// configuration.events = ["rules/examples/community-history.jsonl"]
/// try await Playground(configuration).run { url in print(url) }
/// ```
///
/// Every request must name this machine in `Host` (and `Origin`, when sent)
/// — a page elsewhere cannot reach it through DNS rebinding — and every API
/// request must carry the launch token, which only the printed URL holds.
public struct Playground: Sendable {
  let configuration: PlaygroundConfiguration
  let session: PlaygroundSession
  let assets: Assets

  public init(_ configuration: PlaygroundConfiguration) throws {
    self.configuration = configuration
    do {
      session = try PlaygroundSession(
        rules: configuration.rules, samples: configuration.events, stores: configuration.stores,
        maxUploadBytes: configuration.maxUploadBytes)
    } catch {
      throw PlaygroundStartError(description: error.message)
    }
    for path in configuration.events where !FileManager.default.isReadableFile(atPath: path) {
      throw PlaygroundStartError(description: "cannot read the history \(path)")
    }
    assets = try Assets.load()
  }

  /// Serves until SIGINT or SIGTERM; `onServerRunning` receives the page's URL (with the token).
  public func run(onServerRunning: @escaping @Sendable (URL) async -> Void = { _ in }) async throws {
    let application = await application(onServerRunning: onServerRunning)
    do {
      try await application.runService()
    } catch {
      await session.shutdown()
      throw error
    }
    await session.shutdown()
  }

  /// The Hummingbird application (tests drive it directly).
  package func application(
    onServerRunning: @escaping @Sendable (URL) async -> Void = { _ in }
  ) async -> some ApplicationProtocol {
    let first = await session.chooseFirstFile()
    let port = BoundPort()
    let guardMiddleware = RequestGuard(host: configuration.host, port: port, token: configuration.token)
    let router = Router(context: PlaygroundContext.self)
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: guardMiddleware)
    addRoutes(to: router, first: first)
    var logger = Logger(label: "laurel.playground")
    logger.logLevel = .warning
    let host = configuration.host
    let token = configuration.token
    return Application(
      router: router,
      configuration: .init(address: .hostname(host, port: configuration.port), serverName: "laurel-playground"),
      onServerRunning: { channel in
        let bound = channel.localAddress?.port ?? 0
        port.value.withLock { $0 = bound }
        var shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        if shown.contains(":") { shown = "[\(shown)]" }  // an IPv6 address
        var components = URLComponents()
        (components.scheme, components.path) = ("http", "/")
        components.percentEncodedHost = shown
        components.port = bound
        components.queryItems = [URLQueryItem(name: "token", value: token)]
        await onServerRunning(components.url ?? URL(fileURLWithPath: "/"))
      },
      logger: logger)
  }
}

/// The request context: Hummingbird's core, JSON in snake_case, and room
/// for a rule file past the loader's limit (so that it is refused with the
/// loader's sentence, not a bare 413).
package struct PlaygroundContext: RequestContext {
  package var coreContext: CoreRequestContextStorage
  package init(source: Source) { coreContext = .init(source: source) }
  package var maxUploadSize: Int { 4 << 20 }
  package var requestDecoder: JSONDecoder { .playground }
  package var responseEncoder: JSONEncoder { .playground }
}

/// The port the server listens on, once it does.
final class BoundPort: Sendable {
  let value = Mutex(0)
}

/// Refuses requests that do not come to this machine by name (DNS
/// rebinding), come from another site's page, or lack the launch token; and
/// adds the headers that keep the page to itself.
struct RequestGuard: RouterMiddleware {
  typealias Context = PlaygroundContext
  let host: String
  let port: BoundPort
  let token: String

  init(host: String, port: BoundPort, token: String) {
    self.host = host
    self.port = port
    self.token = token
  }

  /// Host names a request may name: loopback, and the listening address when it is not a wildcard.
  var allowedNames: Set<String> {
    var names: Set<String> = ["127.0.0.1", "localhost", "[::1]"]
    if host != "0.0.0.0" && host != "::" { names.insert(host.contains(":") ? "[\(host)]" : host) }
    return names
  }

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    let bound = port.value.withLock { $0 }
    guard let authority = request.head.authority, allowed(authority, port: bound) else {
      throw PlaygroundError.forbidden(
        "the Host header must name this machine (127.0.0.1 or localhost and port \(bound)); open the URL laurel playground printed"
      )
    }
    if let origin = request.headers[.origin] {
      guard origin.hasPrefix("http://"), allowed(String(origin.dropFirst(7)), port: bound) else {
        throw PlaygroundError.forbidden("requests from other sites (Origin \(origin)) are refused")
      }
    }
    if request.uri.path.hasPrefix("/api/") {
      let given = Array((request.headers[.laurelToken] ?? "").utf8)
      let expected = Array(token.utf8)
      var difference = given.count ^ expected.count
      for i in 0..<min(given.count, expected.count) { difference |= Int(given[i] ^ expected[i]) }
      guard difference == 0 else {
        throw PlaygroundError(
          status: .unauthorized, code: "TOKEN",
          message: "missing or wrong X-Laurel-Token; open the URL laurel playground printed (it carries the token)")
      }
    }
    var response = try await next(request, context)
    response.headers[.contentSecurityPolicy] =
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
    response.headers[.xContentTypeOptions] = "nosniff"
    response.headers[.referrerPolicy] = "no-referrer"
    response.headers[.cacheControl] = "no-store"
    return response
  }

  private func allowed(_ authority: String, port: Int) -> Bool {
    guard let colon = authority.lastIndex(of: ":"), authority[colon...].count > 1 else { return false }
    let name = authority[..<colon].lowercased()
    return allowedNames.contains(name) && Int(authority[authority.index(after: colon)...]) == port
  }
}

/// Turns every failure into the playground's JSON error body.
struct ErrorMiddleware: RouterMiddleware {
  typealias Context = PlaygroundContext

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    do {
      return try await next(request, context)
    } catch let error as PlaygroundError {
      throw error
    } catch let error as HTTPError {
      throw PlaygroundError(
        status: error.status, code: error.status == .contentTooLarge ? "TOO_LARGE" : "BAD_REQUEST",
        message: error.body ?? (error.status == .contentTooLarge ? "the request body is too large" : "\(error.status)"))
    } catch is NIOTooManyBytesError {
      throw PlaygroundError(
        status: .contentTooLarge, code: "TOO_LARGE",
        message: "the request is over \(context.maxUploadSize) bytes; rule files are limited to 1 MiB")
    } catch let error as DecodingError {
      throw PlaygroundError.badRequest("the request body is not what this endpoint takes: \(error)")
    } catch {
      throw PlaygroundError(status: .internalServerError, code: "INTERNAL", message: "\(error)")
    }
  }
}

extension HTTPField.Name {
  static let laurelToken = Self("X-Laurel-Token")!
  static let xContentTypeOptions = Self("X-Content-Type-Options")!
  static let referrerPolicy = Self("Referrer-Policy")!
}
