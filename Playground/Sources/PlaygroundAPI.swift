import Hummingbird
import Laurel
import LaurelDiagnostics

// The JSON the page and the playground exchange. Every request that carries
// rules names the file being edited (relative to the rules folder) and its
// text as it stands in the editor; the other files of its scheme are read
// from disk.

/// The rule file being edited, as the editor holds it.
struct EditedRules: Codable, Sendable {
  var file: String
  var text: String
}

/// Which page of a member table, in which order, filtered how.
struct TableQuery: Codable, Sendable {
  var search: String?
  /// `member`, a currency, a ladder, `badges`, or (diffs) `delta`.
  var sort: String?
  var descending: Bool?
  var page: Int?
  var size: Int?

  /// At most a million pages: no page number can overflow an offset.
  var pageIndex: Int { min(1_000_000, max(0, page ?? 0)) }
  var pageSize: Int { min(500, max(1, size ?? 50)) }
}

struct ValidateRequest: Codable, Sendable {
  var rules: EditedRules
}

struct SetValueRequest: Codable, Sendable {
  var rules: EditedRules
  var id: String
  var value: String
}

struct SimulateRequest: Codable, Sendable {
  var rules: EditedRules
  var query: TableQuery?
}

struct DiffRequest: Codable, Sendable {
  var rules: EditedRules
  /// `disk` (the file as saved) or `git:REV` (e.g. `git:HEAD`).
  var against: String
  var query: TableQuery?
}

struct InspectRequest: Codable, Sendable {
  var rules: EditedRules
  var against: String
  var scope: String?
  var user: String
}

struct SelectHistoryRequest: Codable, Sendable {
  var id: String
}

/// One problem, where the editor marks it.
struct Problem: Codable, Sendable, Equatable {
  var file: String?
  var line: Int?
  var column: Int?
  var length: Int
  var severity: String
  var code: String
  var message: String

  init(_ diagnostic: Diagnostic) {
    file = diagnostic.location?.file
    line = diagnostic.location?.line
    column = diagnostic.location?.column
    length = diagnostic.length
    severity = diagnostic.severity.rawValue
    code = diagnostic.code.rawValue
    message = diagnostic.message
  }
}

struct ValidateResponse: ResponseCodable, Sendable {
  var valid: Bool
  var scheme: String?
  var problems: [Problem]
  /// The point values the form shows, with their positions.
  var fields: [PointValues.Field]
}

struct SetValueResponse: ResponseCodable, Sendable {
  var text: String
  var edit: PointValues.Edit
  var fields: [PointValues.Field]
}

/// A history the page can replay.
struct HistoryInfo: Codable, Sendable, Equatable {
  var id: String
  var name: String
  /// `sample`, `upload` or `store`.
  var kind: String
  var bytes: Int
  var lines: Int
}

struct StateResponse: ResponseCodable, Sendable {
  var folder: String
  var files: [RuleFileInfo]
  /// The file the page opens first.
  var file: String
  var histories: [HistoryInfo]
  var history: String
  var maxUploadBytes: Int
  /// Whether the rules folder is in a git repository (`git:HEAD` can be compared against).
  var git: Bool
}

struct RuleFileInfo: Codable, Sendable {
  var file: String
  var text: String
  var scheme: String
}

/// Counts of a replay, as `laurel simulate` gives them.
struct Counts: Codable, Sendable {
  var read, applied, duplicates, ignored, rejected: Int

  init(_ counts: EventCounts) {
    read = counts.read
    applied = counts.applied
    duplicates = counts.duplicates
    ignored = counts.ignored
    rejected = counts.rejected
  }
}

struct Rejection: Codable, Sendable {
  var line: Int
  var reason: String
}

/// A bar of a chart: a label and how many members.
struct Bar: Codable, Sendable {
  var label: String
  var before: Int?
  var members: Int
}

struct Chart: Codable, Sendable {
  var title: String
  var bars: [Bar]
}

struct MemberRow: Codable, Sendable {
  var scope: String?
  var user: String
  var balances: [String: Int64]
  var tiers: [String: String]
  var badges: [String]
}

struct SimulateResponse: ResponseCodable, Sendable {
  var milliseconds: Int
  var history: HistoryInfo
  var counts: Counts
  var rejections: [Rejection]
  var currencies: [String]
  var ladders: [String]
  var tiers: [Chart]
  var balances: [Chart]
  var badges: [Chart]
  var total: Int
  var members: [MemberRow]
}

struct ChangeRow: Codable, Sendable {
  var scope: String?
  var user: String
  var before: MemberRow?
  var after: MemberRow?
  var delta: Int64
  var byRule: [RuleDelta]
  var badgesGained: [String]
  var badgesLost: [String]
}

struct RuleDelta: Codable, Sendable {
  var rule: String
  var delta: Int64
}

struct Mover: Codable, Sendable {
  var scope: String?
  var user: String
  var delta: Int64
}

struct DiffSummary: Codable, Sendable {
  var membersCompared, membersChanged, balanceChanged, tierChanged, badgesChanged, onlyBefore, onlyAfter: Int
}

struct DiffResponse: ResponseCodable, Sendable {
  var milliseconds: Int
  var against: String
  var history: HistoryInfo
  var counts: Counts
  var summary: DiffSummary
  var currency: String?
  var tiers: [Chart]
  var balances: [Chart]
  var badges: [BadgeCountRow]
  var gainers: [Mover]
  var losers: [Mover]
  var total: Int
  var members: [ChangeRow]
}

struct BadgeCountRow: Codable, Sendable {
  var badge: String
  var newlyEarned: Int
  var noLongerEarned: Int
}

/// One member's history under one rule set.
struct MemberTimeline: Codable, Sendable {
  struct Entry: Codable, Sendable {
    var at: String
    var action: String
    var rule: String
    var currency: String
    var amount: Int64
    var balance: Int64
  }
  struct Step: Codable, Sendable {
    var at: String
    var action: String
    var ladder: String
    var from: Int
    var to: Int
    var name: String
  }
  struct Award: Codable, Sendable {
    var at: String
    var badge: String
    var key: String?
  }
  var member: MemberRow?
  var entries: [Entry]
  var steps: [Step]
  var badges: [Award]
  /// Entries past the first 2,000 are counted, not listed.
  var omitted: Int
}

struct InspectResponse: ResponseCodable, Sendable {
  var scope: String?
  var user: String
  var against: String
  var before: MemberTimeline
  var after: MemberTimeline
}

struct SaveResponse: ResponseCodable, Sendable {
  var file: String
  var bytes: Int
}

/// The body of every error answer: `{"error": {"code": …, "message": …, "problems": […]}}`.
struct ErrorBody: Codable, Sendable {
  struct Detail: Codable, Sendable {
    var code: String
    var message: String
    var problems: [Problem]?
  }
  var error: Detail
}
