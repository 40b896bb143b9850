/// Schemas of the action JSON and the `laurel simulate` report (DESIGN.md's contracts).
extension Schemas {
  public static func action() -> JSONValue {
    .object([
      ("$schema", "https://json-schema.org/draft/2020-12/schema"),
      ("$id", "https://laurel.dev/schemas/action.schema.json"),
      ("title", "Laurel action"),
      (
        "description",
        "One user action (event), one object per line in history files. Every other top-level field is an attribute, available to rules as event.<field> when the scheme declares it."
      ),
      ("type", "object"),
      ("required", ["id", "type", "at", "user"]),
      (
        "properties",
        .object([
          (
            "id",
            .object([
              ("description", "Unique id; an id seen before is a duplicate and changes nothing."), ("type", "string"),
              ("minLength", 1),
            ])
          ),
          (
            "type",
            .object([("description", "The action type, e.g. post_liked."), ("type", "string"), ("minLength", 1)])
          ),
          (
            "at",
            .object([
              ("description", "When it happened, RFC 3339 (UTC or with an offset)."), ("type", "string"),
              ("pattern", "^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$"),
            ])
          ),
          ("user", .object([("description", "The actor's user id."), ("type", "string"), ("minLength", 1)])),
          (
            "traits",
            .object([
              ("description", "Trait updates for the actor, applied before the rules run, e.g. {\"plan\": \"Paid\"}."),
              ("type", "object"), ("additionalProperties", .object([("type", "string")])),
            ])
          ),
        ])
      ),
      ("additionalProperties", true),
    ])
  }

  public static func diffReport() -> JSONValue {
    let count = JSONValue.object([("type", "integer"), ("minimum", 0)])
    let report = simulateReport()
    var member: JSONValue = .null
    if case .object(let pairs) = report, case .object(let props)? = pairs.first(where: { $0.0 == "properties" })?.1,
      case .object(let members)? = props.first(where: { $0.0 == "members" })?.1,
      let items = members.first(where: { $0.0 == "items" })?.1
    {
      member = items
    }
    func object(_ required: [String], _ properties: [(String, JSONValue)]) -> JSONValue {
      .object([
        ("type", "object"), ("required", .array(required.map(JSONValue.string))), ("additionalProperties", false),
        ("properties", .object(properties)),
      ])
    }
    let mover = object(
      ["scope", "user", "currency", "delta"],
      [
        ("scope", .object([("type", ["string", "null"])])), ("user", .object([("type", "string")])),
        ("currency", .object([("type", "string")])), ("delta", .object([("type", "integer")])),
      ])
    return .object([
      ("$schema", "https://json-schema.org/draft/2020-12/schema"),
      ("$id", "https://laurel.dev/schemas/diff-report.schema.json"),
      ("title", "laurel diff report"),
      (
        "description",
        "What replaying one history under rules B instead of rules A changes: members whose balances, tiers or badges differ (sorted by scope then user), with before/after in the simulate report's member shape and the change broken down by rule."
      ),
      ("type", "object"),
      (
        "required",
        [
          "from", "to", "events", "summary", "tier_distributions", "balance_histograms", "badges", "gainers", "losers",
          "members",
        ]
      ),
      ("additionalProperties", false),
      (
        "properties",
        .object([
          ("from", .object([("description", "Scheme name of the current rules."), ("type", "string")])),
          ("to", .object([("description", "Scheme name of the proposed rules."), ("type", "string")])),
          (
            "events",
            object(
              ["read", "applied", "duplicates", "ignored", "rejected"],
              ["read", "applied", "duplicates", "ignored", "rejected"].map { ($0, count) })
          ),
          (
            "summary",
            object(
              [
                "members_compared", "members_changed", "balance_changed", "tier_changed", "badges_changed",
                "only_before", "only_after",
              ],
              [
                "members_compared", "members_changed", "balance_changed", "tier_changed", "badges_changed",
                "only_before", "only_after",
              ].map { ($0, count) })
          ),
          (
            "tier_distributions",
            .object([
              ("description", "Per ladder: members per tier before and after (rank 0 = no tier)."), ("type", "object"),
              (
                "additionalProperties",
                .object([
                  ("type", "array"),
                  (
                    "items",
                    object(
                      ["rank", "name", "before", "after"],
                      [
                        ("rank", count), ("name", .object([("type", "string")])), ("before", count), ("after", count),
                      ])
                  ),
                ])
              ),
            ])
          ),
          (
            "balance_histograms",
            .object([
              ("description", "Per currency: members per log-scale balance bucket before and after."),
              ("type", "object"),
              (
                "additionalProperties",
                .object([
                  ("type", "array"),
                  (
                    "items",
                    object(
                      ["bucket", "lower", "before", "after"],
                      [
                        ("bucket", .object([("type", "string")])), ("lower", .object([("type", "integer")])),
                        ("before", count), ("after", count),
                      ])
                  ),
                ])
              ),
            ])
          ),
          (
            "badges",
            .object([
              ("type", "array"),
              (
                "items",
                object(
                  ["badge", "newly_earned", "no_longer_earned"],
                  [
                    ("badge", .object([("type", "string")])), ("newly_earned", count), ("no_longer_earned", count),
                  ])
              ),
            ])
          ),
          (
            "gainers",
            .object([("description", "Largest increases of the first currency."), ("type", "array"), ("items", mover)])
          ),
          (
            "losers",
            .object([("description", "Largest decreases of the first currency."), ("type", "array"), ("items", mover)])
          ),
          (
            "members",
            .object([
              ("type", "array"),
              (
                "items",
                object(
                  ["scope", "user", "before", "after", "by_rule"],
                  [
                    ("scope", .object([("type", ["string", "null"])])), ("user", .object([("type", "string")])),
                    (
                      "before",
                      .object([
                        (
                          "description",
                          "State under the current rules; null if the member exists only under the new ones."
                        ), ("anyOf", [member, .object([("type", "null")])]),
                      ])
                    ),
                    (
                      "after",
                      .object([
                        (
                          "description",
                          "State under the proposed rules; null if the member exists only under the old ones."
                        ), ("anyOf", [member, .object([("type", "null")])]),
                      ])
                    ),
                    (
                      "by_rule",
                      .object([
                        (
                          "description", "Amount applied under the new rules minus the old, per rule id (nonzero only)."
                        ), ("type", "object"), ("additionalProperties", .object([("type", "integer")])),
                      ])
                    ),
                  ])
              ),
            ])
          ),
        ])
      ),
    ])
  }

  public static func simulateReport() -> JSONValue {
    let count = JSONValue.object([("type", "integer"), ("minimum", 0)])
    func counts(_ names: [String]) -> JSONValue {
      .object([
        ("type", "object"), ("required", .array(names.map(JSONValue.string))), ("additionalProperties", false),
        ("properties", .object(names.map { ($0, count) })),
      ])
    }
    let integerMap = JSONValue.object([("type", "object"), ("additionalProperties", .object([("type", "integer")]))])
    let member = JSONValue.object([
      ("type", "object"),
      ("required", ["scope", "user", "balances", "tiers", "badges", "counters"]),
      ("additionalProperties", false),
      (
        "properties",
        .object([
          (
            "scope",
            .object([("description", "The member's scope; null in a global scheme."), ("type", ["string", "null"])])
          ),
          ("user", .object([("type", "string")])),
          (
            "balances",
            .object([
              ("description", "Balance per currency."), ("type", "object"),
              ("additionalProperties", .object([("type", "integer")])),
            ])
          ),
          (
            "tiers",
            .object([
              ("description", "Tier per ladder: 1-based rank (0 when no tier is open) and name."), ("type", "object"),
              (
                "additionalProperties",
                .object([
                  ("type", "object"), ("required", ["rank", "name"]), ("additionalProperties", false),
                  (
                    "properties",
                    .object([
                      ("rank", .object([("type", "integer"), ("minimum", 0)])),
                      ("name", .object([("type", ["string", "null"])])),
                    ])
                  ),
                ])
              ),
            ])
          ),
          (
            "badges",
            .object([
              ("type", "array"),
              (
                "items",
                .object([
                  ("type", "object"), ("required", ["badge", "key", "at"]), ("additionalProperties", false),
                  (
                    "properties",
                    .object([
                      ("badge", .object([("type", "string")])), ("key", .object([("type", ["string", "null"])])),
                      ("at", .object([("type", "string")])),
                    ])
                  ),
                ])
              ),
            ])
          ),
          (
            "counters",
            .object([
              ("description", "Counter values: a number, or a number per key."), ("type", "object"),
              ("additionalProperties", .object([("anyOf", [.object([("type", "integer")]), integerMap])])),
            ])
          ),
          (
            "counter_windows",
            .object([
              (
                "description",
                "For counters reset every day, week or month: the window their values count (\"day 2026-03-02\", \"week of 2026-02-23\", \"month 2026-03\"); they read 0 in later windows."
              ),
              ("type", "object"), ("additionalProperties", .object([("type", "string")])),
            ])
          ),
          (
            "progress",
            .object([
              ("type", "object"),
              (
                "additionalProperties",
                .object([("type", "object"), ("additionalProperties", .object([("type", "string")]))])
              ),
            ])
          ),
          ("streaks", integerMap),
        ])
      ),
    ])
    return .object([
      ("$schema", "https://json-schema.org/draft/2020-12/schema"),
      ("$id", "https://laurel.dev/schemas/simulate-report.schema.json"),
      ("title", "laurel simulate report"),
      (
        "description",
        "Final state of every member after replaying a history; members sorted by scope then user (byte order)."
      ),
      ("type", "object"),
      ("required", ["scheme", "events", "notifications", "members"]),
      ("additionalProperties", false),
      (
        "properties",
        .object([
          ("scheme", .object([("type", "string")])),
          ("events", counts(["read", "applied", "duplicates", "ignored", "rejected"])),
          (
            "notifications",
            counts(["points_awarded", "points_deducted", "leveled_up", "leveled_down", "badge_earned"])
          ),
          ("members", .object([("type", "array"), ("items", member)])),
        ])
      ),
    ])
  }
}
