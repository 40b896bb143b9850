@_spi(StoreAdapter) import Laurel

/// What a batch's transaction may read without asking the server: the rows
/// one `laurel_read` call returned (and, for members, what was absent).
struct BatchReads: Sendable {
  /// Members asked for: version and state, or nil for a member the database does not hold.
  var members: [MemberKey: (version: Int64, state: MemberState)?] = [:]
  /// Action ids asked for, and which of them are logged already.
  var askedActions: Set<String> = []
  var loggedActions: Set<String> = []
  /// Once-per keys asked for, and which of them are claimed already.
  var askedOnce: Set<BatchFootprint.OnceKey> = []
  var claimedOnce: Set<BatchFootprint.OnceKey> = []
  /// Scopes' tier settings (`name`, JSON `value`), for every scope asked for.
  var tiers: [String?: [(name: String, value: String)]] = [:]
  /// Settings asked for (nil: absent).
  var settings: [SettingKey: String?] = [:]
  /// Scopes loaded whole: their members, by user.
  var scopes: [String?: [MemberKey]] = [:]
  /// True when these reads are everything there is (a rebuild into empty
  /// tables): what they lack is absent, not missing.
  var complete = false
}

/// What a transaction needs that its ``BatchReads`` lack (or, after a
/// conflict, everything it read, to read again).
struct ReadRequest: Sendable {
  var members: [MemberKey] = []
  var actionIDs: [String] = []
  var once: [BatchFootprint.OnceKey] = []
  var tierScopes: [String?] = []
  var settings: [SettingKey] = []
  var scopes: [String?] = []

  var isEmpty: Bool {
    members.isEmpty && actionIDs.isEmpty && once.isEmpty && tierScopes.isEmpty && settings.isEmpty && scopes.isEmpty
  }

  /// What a batch's footprint forecasts, and the tier settings of its members' scopes.
  init(_ footprint: BatchFootprint) {
    members = footprint.members.map(MemberKey.init)
    actionIDs = footprint.actionIDs
    once = footprint.onceKeys
    var scopes: Set<String?> = []
    for member in footprint.members where scopes.insert(member.scope).inserted { tierScopes.append(member.scope) }
  }

  init() {}

  /// Both requests' items, each once.
  mutating func formUnion(_ other: ReadRequest) {
    func merge<T: Hashable>(_ mine: inout [T], _ theirs: [T]) {
      var seen = Set(mine)
      for item in theirs where seen.insert(item).inserted { mine.append(item) }
    }
    merge(&members, other.members)
    merge(&actionIDs, other.actionIDs)
    merge(&once, other.once)
    merge(&tierScopes, other.tierScopes)
    merge(&settings, other.settings)
    merge(&scopes, other.scopes)
  }
}
