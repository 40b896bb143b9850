/// The keys of the rule language, section by section, with the one-line help
/// a product manager sees. The loader accepts exactly these keys, so this
/// table is the single source of truth for documentation and schemas.
package enum RuleKeys {
  /// What a key's value looks like (drives the JSON Schema).
  package indirect enum Shape: Sendable {
    case string
    case integer
    case boolean
    /// A CEL expression: a string, or a number or boolean literal.
    case expression
    /// One name or a list of names.
    case names
    /// `day`, `week` or `month`.
    case window
    /// A field type such as `string`, `int`, `list(string)`.
    case fieldType
    /// `2019-11-13` or an RFC 3339 time.
    case timestamp
    /// `30s`, `10m`, `1h30m`.
    case duration
    /// `{ currency: amount }`, amounts being expressions.
    case amounts
    /// `{ name: string }`.
    case stringMap
    /// A mapping from names (identifiers) to values of a shape; `nullable` allows `name:` with no value.
    case named(Shape, nullable: Bool = false)
    /// A mapping with exactly these keys.
    case section([Key])
    case list(Shape)
    case anyOf([Shape])
    case enumeration([String])
    /// A string matching a regular expression.
    case pattern(String)
  }

  /// One key of a YAML mapping.
  package struct Key: Sendable {
    package var name: String
    package var summary: String
    package var shape: Shape
    package var required: Bool
    /// The default, as JSON text (`"UTC"`, `0`, `false`).
    package var defaultValue: String?
    /// An example, as JSON text.
    package var example: String?
    init(
      _ name: String, _ summary: String, _ shape: Shape = .string, required: Bool = false,
      default defaultValue: String? = nil,
      example: String? = nil
    ) {
      self.name = name
      self.summary = summary
      self.shape = shape
      self.required = required
      self.defaultValue = defaultValue
      self.example = example
    }
  }

  package static let top: [Key] = [
    Key("scheme", "Name of the scheme; at least one file of a scheme declares it.", example: "\"community-points\""),
    Key("description", "What this scheme is for, in a sentence or two."),
    Key(
      "members", "How members are identified: `scope` gives the community-like scope of an action.", .section(members)),
    Key(
      "time_zone", "Time zone for days, weeks and months: UTC (default), +02:00 or a name like Europe/Paris.",
      default: "\"UTC\"", example: "\"Europe/Paris\""),
    Key(
      "fields", "Attributes actions carry, with their types (string, int, double, bool, timestamp, list(string)).",
      .named(.fieldType), example: "{\"author\": \"string\", \"minutes\": \"int\"}"),
    Key(
      "let",
      "Named conditions and values, written once and used by name in later expressions: self_accept: event.owner == event.user.",
      .named(.expression), example: "{\"self_accept\": \"event.owner == event.user\"}"),
    Key(
      "objects",
      "Things actions are about whose counters the thing itself keeps, named by an action field: post: event.post.",
      .named(.expression), example: "{\"post\": \"event.post\"}"),
    Key("traits", "Member properties the host sets, such as plan: Free or Paid.", .named(.section(trait))),
    Key(
      "currencies", "Balances members hold (xp, points), with a start value and an optional floor.",
      .named(.section(currency), nullable: true)),
    Key(
      "counters", "Per-member counts rules add to, optionally per key and per window.",
      .named(.section(counter), nullable: true)),
    Key("progress", "Per-key states (a module's NotStarted / InProgress / Completed).", .named(.section(progress))),
    Key("streaks", "Consecutive days (or weeks) in which a member acted.", .named(.section(streak))),
    Key(
      "actions", "What each action type awards: a list of rules per action type.",
      .named(.anyOf([.list(.section(rule)), .section(rule)]))),
    Key(
      "bonuses", "Rewards on a member's first qualifying action of each day (or week, month).", .named(.section(bonus))),
    Key("caps", "Limits on what a member can earn per day, week or month.", .named(.section(cap))),
    Key("ladders", "Levels or grades: ordered tiers over a currency.", .named(.section(ladder))),
    Key("badges", "Badges earned when a condition holds, or granted by an admin.", .named(.section(badge))),
    Key("gates", "Access checks such as 'this course needs level 3'.", .named(.section(gate))),
    Key("leaderboards", "Rankings of members by a currency over windows.", .named(.section(leaderboard))),
  ]
  package static let members: [Key] = [
    Key(
      "scope", "Expression giving a member's scope from an action, e.g. event.community.", .expression,
      example: "\"event.community\"")
  ]
  package static let trait: [Key] = [
    Key("values", "The allowed values, e.g. [Free, Paid].", .names, example: "[\"Free\", \"Paid\"]"),
    Key("default", "The value a new member has.", example: "\"Free\""),
  ]
  package static let currency: [Key] = [
    Key("start", "Balance of a new member (default 0).", .integer, default: "0"),
    Key("floor", "Lowest the balance can go; deductions stop there.", .integer, example: "0"),
  ]
  package static let counter: [Key] = [
    Key("key", "Expression giving the key to count per, e.g. event.module.", .expression, example: "\"event.module\""),
    Key("window", "Reset every day, week or month.", .window),
    Key("tracks", "A currency whose applied amounts (awards and deductions) this counter adds up automatically."),
    Key(
      "earned", "A currency whose earnings (applied awards; deductions not counted) this counter adds up automatically."
    ),
    Key(
      "of",
      "An object (see objects) that keeps this counter instead of the member: a post's score, read as post.counters.score.",
      example: "\"post\""),
  ]
  package static let progress: [Key] = [
    Key(
      "key", "Expression giving the key, e.g. event.module.", .expression, required: true, example: "\"event.module\""),
    Key(
      "states", "The states in order; the first is the initial state.", .names, required: true,
      example: "[\"NotStarted\", \"InProgress\", \"Completed\"]"),
  ]
  package static let streak: [Key] = [
    Key("every", "day (default), week or month.", .window, default: "\"day\""),
    Key("on", "Action types that count; every action if omitted.", .names),
  ]
  package static let rule: [Key] = [
    Key(
      "id", "Name of the rule in ledgers and reports (default: the action type).",
      .pattern("^[A-Za-z_][A-Za-z0-9_#.-]*$")),
    Key("description", "What the rule is for."),
    Key(
      "when", "Condition (CEL) that must hold, e.g. event.minutes >= 5.", .expression, example: "\"event.minutes >= 5\""
    ),
    Key(
      "award", "Amounts to give per currency: a number or an expression, e.g. { xp: event.minutes * 2 }.", .amounts,
      example: "{\"xp\": \"event.minutes * 2\"}"),
    Key(
      "deduct", "Amounts to take per currency (stops at the currency's floor).", .amounts, example: "{\"points\": 1}"),
    Key(
      "to", "Who receives it: an expression giving a user id (default: the actor), e.g. event.author.", .expression,
      example: "\"event.author\""),
    Key(
      "once_per", "Pay only once per member and value of this expression, e.g. event.lesson.", .expression,
      example: "\"event.lesson\""),
    Key("cooldown", "Fire at most once per member within this time, e.g. 10m or 1h.", .duration, example: "\"10m\""),
    Key(
      "count", "Counters to add 1 to (a name or list), or { counter: amount }.", .anyOf([.names, .amounts]),
      example: "\"module_messages\""),
    Key(
      "progress", "Progress states to set, e.g. { modules: Completed }.", .stringMap,
      example: "{\"modules\": \"Completed\"}"),
    Key("from", "Apply only to actions at or after this time (2019-11-13 or RFC 3339).", .timestamp),
    Key("until", "Apply only to actions before this time.", .timestamp),
  ]
  package static let bonus: [Key] = [
    Key("every", "day (default), week or month.", .window, default: "\"day\""),
    Key("award", "Amounts given, e.g. { xp: 5 }.", .named(.integer), required: true, example: "{\"xp\": 5}"),
    Key("on", "Action types that qualify; every action if omitted.", .names),
  ]
  package static let cap: [Key] = [
    Key("currency", "The currency limited.", required: true),
    Key("max", "The most a member can earn per window.", .integer, required: true, example: "50"),
    Key("per", "day, week or month.", .window, required: true),
    Key("rules", "Rule ids (or bonus names) the cap covers; all if omitted.", .names),
    Key("exempt", "Rule ids the cap never limits.", .names),
    Key(
      "net", "Whether deductions by the cap's rules free up room: the cap limits net earnings.", .boolean,
      default: "false"),
  ]
  package static let ladder: [Key] = [
    Key("currency", "The currency the tiers are thresholds of.", required: true),
    Key(
      "policy", "ratchet (never goes down, default) or follow (tracks the balance).",
      .enumeration(["ratchet", "follow"]), default: "\"ratchet\""),
    Key("segment", "A trait whose value can limit tiers (see a tier's access)."),
    Key("overridable", "Whether admins may rename tiers and move thresholds per scope.", .boolean, default: "false"),
    Key("tiers", "The tiers from lowest to highest.", .list(.section(tier)), required: true),
  ]
  package static let tier: [Key] = [
    Key("name", "Tier name shown to members.", required: true),
    Key("at", "Balance needed; strictly increasing.", .integer, required: true, example: "100"),
    Key(
      "access", "Segment values that may hold it: All (default), or e.g. Paid or [Free, Paid].", .names,
      default: "\"All\""),
    Key(
      "attributes", "Extra data for clients, e.g. { animation: https://... }.", .stringMap,
      example: "{\"animation\": \"https://cdn.example.com/expert.json\"}"),
  ]
  package static let badge: [Key] = [
    Key("title", "Display name."), Key("description", "What it is for."),
    Key(
      "key", "One badge per value of this expression, e.g. event.module; usable as `key` in when.", .expression,
      example: "\"event.module\""),
    Key(
      "when", "Condition over the member's state, e.g. member.counters.module_messages[key] >= 250.", .expression,
      example: "\"member.counters.module_messages[key] >= 250\""),
    Key(
      "to", "Only the member this expression names may earn it, e.g. event.owner (a post's badge goes to its owner).",
      .expression, example: "\"event.owner\""),
    Key("manual", "true when only admins grant it.", .boolean, default: "false"),
  ]
  package static let gate: [Key] = [
    Key("ladder", "The ladder whose tier unlocks access.", required: true),
    Key("message", "Text of a denial; {rank} and {name} are replaced.", default: "\"Unlock at Level {rank} - {name}\""),
  ]
  package static let leaderboard: [Key] = [
    Key("currency", "The currency ranked.", required: true),
    Key(
      "windows", "Periods: all, or a number of days such as 7d, 30d.",
      .anyOf([.pattern("^(all|all_time|[1-9][0-9]*d)$"), .list(.pattern("^(all|all_time|[1-9][0-9]*d)$"))]),
      default: "[\"all\"]", example: "[\"7d\", \"30d\", \"all\"]"),
  ]
}
