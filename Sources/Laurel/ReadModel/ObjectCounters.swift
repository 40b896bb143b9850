/// Reading what objects keep (`objects: post: event.post`; `counters: score: { of: post }`).
extension CompiledRules {
  /// Names of the objects, in declaration order.
  public var objectNames: [String] { objects.map(\.name) }

  /// The counters object `name` keeps, read from `state` (its stored state,
  /// or nil for an object no action has counted into: every counter 0).
  /// nil when the scheme declares no such object.
  public func objectCounters(of name: String, state: MemberState?) -> [MemberProfile.Counter]? {
    guard let o = objects.firstIndex(where: { $0.name == name }) else { return nil }
    return counterProfiles(state ?? initialState(), kept: o)
  }

  /// Where object `name`'s state with `key` is kept in a store, for an
  /// action of `scope` (nil in a global scheme); nil for an unknown object.
  func objectID(named name: String, key: String, scope: String?) -> MemberID? {
    objects.firstIndex { $0.name == name }.map { objectID($0, key: key, scope: scope) }
  }

  /// The counters kept by `object` (nil: a member's own counters), as a profile shows them.
  func counterProfiles(_ state: MemberState, kept object: Int?) -> [MemberProfile.Counter] {
    counters.indices.compactMap { c in
      guard c < state.counters.count, counters[c].object == object else { return nil }
      let value = state.counters[c]
      return .init(
        name: counters[c].name, total: value.total,
        byKey: value.byKey.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map {
          .init(key: $0.key, count: $0.value)
        },
        isKeyed: counters[c].key != nil,
        window: counters[c].window.flatMap { kind in
          value.window == .min ? nil : String(Evaluator.describe(value.window, kind).dropFirst("the ".count))
        })
    }
  }
}

extension Simulation {
  /// The counters object `name` with `key` keeps (`post`, `"a1"`), in `scope`
  /// for a scoped scheme; nil when the scheme declares no such object.
  public func objectCounters(of name: String, key: String, scope: String? = nil) -> [MemberProfile.Counter]? {
    let id = rules.objectID(named: name, key: key, scope: scope)
    return rules.objectCounters(of: name, state: id.flatMap { state.state(of: $0) })
  }
}

extension Engine {
  /// The counters object `name` with `key` keeps, read from the store, in
  /// `scope` for a scoped scheme; nil when the scheme declares no such object.
  public func objectCounters(
    of name: String, key: String, scope: String? = nil
  ) async throws -> [MemberProfile.Counter]? {
    guard let id = rules.objectID(named: name, key: key, scope: scope) else { return nil }
    return rules.objectCounters(of: name, state: try await store.state(of: id))
  }
}
