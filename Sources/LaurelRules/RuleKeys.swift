/// The keys of the rule language, section by section, with the one-line help
/// a product manager sees. The loader accepts exactly these keys, so this
/// table is the single source of truth for documentation and schemas.
public enum RuleKeys {
  /// One key of a YAML mapping.
  public struct Key: Sendable {
    public var name: String
    public var summary: String
    public var required: Bool
    init(_ name: String, _ summary: String, required: Bool = false) {
      self.name = name
      self.summary = summary
      self.required = required
    }
  }

  public static let top: [Key] = [
    Key("scheme", "Name of the scheme (one per set of rule files).", required: true),
    Key("description", "What this scheme is for, in a sentence or two."),
    Key("members", "How members are identified: `scope` gives the community-like scope of an action."),
    Key("time_zone", "Time zone for days, weeks and months: UTC (default), +02:00 or a name like Europe/Paris."),
    Key("fields", "Attributes actions carry, with their types (string, int, double, bool, timestamp, list(string))."),
    Key("traits", "Member properties the host sets, such as plan: Free or Paid."),
    Key("currencies", "Balances members hold (xp, points), with a start value and an optional floor."),
    Key("counters", "Per-member counts rules add to, optionally per key and per window."),
    Key("progress", "Per-key states (a module's NotStarted / InProgress / Completed)."),
    Key("streaks", "Consecutive days (or weeks) in which a member acted."),
    Key("actions", "What each action type awards: a list of rules per action type."),
    Key("bonuses", "Rewards on a member's first qualifying action of each day (or week, month)."),
    Key("caps", "Limits on what a member can earn per day, week or month."),
    Key("ladders", "Levels or grades: ordered tiers over a currency."),
    Key("badges", "Badges earned when a condition holds, or granted by an admin."),
    Key("gates", "Access checks such as 'this course needs level 3'."),
    Key("leaderboards", "Rankings of members by a currency over windows."),
  ]
  public static let members: [Key] = [Key("scope", "Expression giving a member's scope from an action, e.g. event.community.")]
  public static let trait: [Key] = [
    Key("values", "The allowed values, e.g. [Free, Paid]."), Key("default", "The value a new member has."),
  ]
  public static let currency: [Key] = [
    Key("start", "Balance of a new member (default 0)."), Key("floor", "Lowest the balance can go; deductions stop there."),
  ]
  public static let counter: [Key] = [
    Key("key", "Expression giving the key to count per, e.g. event.module."),
    Key("window", "Reset every day, week or month."),
    Key("tracks", "A currency whose applied amounts this counter adds up automatically."),
  ]
  public static let progress: [Key] = [
    Key("key", "Expression giving the key, e.g. event.module.", required: true),
    Key("states", "The states in order; the first is the initial state.", required: true),
  ]
  public static let streak: [Key] = [
    Key("every", "day (default), week or month."), Key("on", "Action types that count; every action if omitted."),
  ]
  public static let rule: [Key] = [
    Key("id", "Name of the rule in ledgers and reports (default: the action type)."),
    Key("description", "What the rule is for."),
    Key("when", "Condition (CEL) that must hold, e.g. event.minutes >= 5."),
    Key("award", "Amounts to give per currency: a number or an expression, e.g. { xp: event.minutes * 2 }."),
    Key("deduct", "Amounts to take per currency (stops at the currency's floor)."),
    Key("to", "Who receives it: an expression giving a user id (default: the actor), e.g. event.author."),
    Key("once_per", "Pay only once per member and value of this expression, e.g. event.lesson."),
    Key("cooldown", "Fire at most once per member within this time, e.g. 10m or 1h."),
    Key("count", "Counters to add 1 to (a name or list), or { counter: amount }."),
    Key("progress", "Progress states to set, e.g. { modules: Completed }."),
    Key("from", "Apply only to actions at or after this time (2019-11-13 or RFC 3339)."),
    Key("until", "Apply only to actions before this time."),
  ]
  public static let bonus: [Key] = [
    Key("every", "day (default), week or month."),
    Key("award", "Amounts given, e.g. { xp: 5 }.", required: true),
    Key("on", "Action types that qualify; every action if omitted."),
  ]
  public static let cap: [Key] = [
    Key("currency", "The currency limited.", required: true),
    Key("max", "The most a member can earn per window.", required: true),
    Key("per", "day, week or month.", required: true),
    Key("rules", "Rule ids (or bonus names) the cap covers; all if omitted."),
    Key("exempt", "Rule ids the cap never limits."),
  ]
  public static let ladder: [Key] = [
    Key("currency", "The currency the tiers are thresholds of.", required: true),
    Key("policy", "ratchet (never goes down, default) or follow (tracks the balance)."),
    Key("segment", "A trait whose value can limit tiers (see a tier's access)."),
    Key("overridable", "Whether admins may rename tiers and move thresholds per scope."),
    Key("tiers", "The tiers from lowest to highest.", required: true),
  ]
  public static let tier: [Key] = [
    Key("name", "Tier name shown to members.", required: true),
    Key("at", "Balance needed; strictly increasing.", required: true),
    Key("access", "Segment values that may hold it: All (default), or e.g. Paid or [Free, Paid]."),
    Key("attributes", "Extra data for clients, e.g. { animation: https://... }."),
  ]
  public static let badge: [Key] = [
    Key("title", "Display name."), Key("description", "What it is for."),
    Key("key", "One badge per value of this expression, e.g. event.module; usable as `key` in when."),
    Key("when", "Condition over the member's state, e.g. member.counters.module_messages[key] >= 250."),
    Key("manual", "true when only admins grant it."),
  ]
  public static let gate: [Key] = [
    Key("ladder", "The ladder whose tier unlocks access.", required: true),
    Key("message", "Text of a denial; {rank} and {name} are replaced."),
  ]
  public static let leaderboard: [Key] = [
    Key("currency", "The currency ranked.", required: true),
    Key("windows", "Periods: all, or a number of days such as 7d, 30d."),
  ]
}
