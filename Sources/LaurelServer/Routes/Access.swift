import Logging
import Hummingbird
import Laurel
import LaurelExpression
import Synchronization

/// Which communities exist: those a caller's token names, and those the
/// store has seen (a member or a setting). Laurel keeps no other registry;
/// a community once seen stays known for the server's life.
final class CommunityDirectory<S: AdminStore>: Sendable {
  private let store: S
  private let known = Mutex<Set<String>>([])

  init(store: S) { self.store = store }

  func exists(_ scope: String) async throws -> Bool {
    if known.withLock({ $0.contains(scope) }) { return true }
    var found = try await store.memberPage(scope: scope, prefix: "", limit: 1, offset: 0).total > 0
    for kind in [SettingKey.Kind.tiers, .gate] where !found {
      found = try await !store.settings(kind, scope: scope, prefix: "").isEmpty
    }
    if found { known.withLock { _ = $0.insert(scope) } }
    return found
  }
}

extension LaurelServer {
  /// The scope a route names: the `community` parameter of a scoped scheme, nil otherwise.
  func scope(_ context: ServerContext) throws(APIError) -> String? {
    guard definitions.isScoped else { return nil }
    guard let community = context.parameters.get("community"), Self.isValidID(community) else {
      throw .notFound("no such community")
    }
    return community
  }

  /// The caller, allowed to read `scope`: 401 without a valid token, 403 for
  /// a caller who is not a member (nor a global admin), 404 for a community
  /// nobody's token names and the store has never seen.
  func reader(_ context: ServerContext) async throws -> (caller: Caller, scope: String?) {
    let caller = try context.caller()
    let scope = try scope(context)
    guard caller.mayRead(scope) else {
      throw APIError.forbidden("you are not a member of community '\(scope ?? "")'")
    }
    try await requireKnown(scope, caller)
    return (caller, scope)
  }

  /// The caller, allowed to administer `scope` (403 otherwise).
  func administrator(_ context: ServerContext) async throws -> (caller: Caller, scope: String?) {
    let caller = try context.caller()
    let scope = try scope(context)
    guard caller.mayAdminister(scope) else {
      throw APIError.forbidden(
        scope.map { "you are not an admin of community '\($0)'" } ?? "this needs the admin role")
    }
    try await requireKnown(scope, caller)
    return (caller, scope)
  }

  private func requireKnown(_ scope: String?, _ caller: Caller) async throws {
    guard let scope, caller.communities[scope] == nil else { return }
    guard try await directory.exists(scope) else { throw APIError.notFound("no community '\(scope)'") }
  }

  /// A global admin (seed 000's admin API).
  func globalAdmin(_ context: ServerContext) throws(APIError) -> Caller {
    let caller = try context.caller()
    guard caller.isAdmin else { throw .forbidden("this needs the admin role") }
    return caller
  }

  /// An id from a path: 1 to 200 bytes, no control characters.
  static func isValidID(_ id: String) -> Bool {
    !id.isEmpty && id.utf8.count <= 200 && !id.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
  }

  /// A path parameter that must be a valid id (404 otherwise).
  func pathID(_ context: ServerContext, _ name: String, _ what: String) throws(APIError) -> String {
    guard let id = context.parameters.get(name), Self.isValidID(id) else { throw .notFound("no such \(what)") }
    return id
  }
}

/// Paging and other query parameters, checked (422 with the parameter's name).
struct Query {
  let request: Request

  func string(_ name: String) -> String? { request.uri.queryParameters.get(name) }

  func int(_ name: String, default value: Int, in range: ClosedRange<Int>) throws(APIError) -> Int {
    guard let text = string(name) else { return value }
    guard let number = Int(text), range.contains(number) else {
      throw .invalid(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
    }
    return number
  }

  var limit: Int { get throws(APIError) { try int("limit", default: 50, in: 1...500) } }
  var offset: Int { get throws(APIError) { try int("offset", default: 0, in: 0...Int(Int32.max)) } }
}
