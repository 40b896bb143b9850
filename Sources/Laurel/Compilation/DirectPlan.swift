import LaurelExpression

/// An action type whose rules need no evaluation: every amount and count is
/// a constant, every recipient and once-per key is the actor or a plain
/// string field (`to: event.author`, `once_per: event.lesson`), every
/// condition reads only the action and is decided from its fields
/// (``ActionCondition``), counts go to keyless counters (a member's or the
/// action's object's), and no progress, cooldown, bonus or streak is involved.
/// Caps, floors and windowed counters are applied as the general path applies them.
///
/// Most point schemes are made of such rules (both seed schemes' likes and
/// posts are, and the Stack Exchange scheme's votes, accepts and comments).
/// The engine applies them in one pass, without the plan phase (which exists
/// so that a rule failing to evaluate rejects the action before anything
/// changed: here every value is checked up front, and an action that fails a
/// check — an undecided condition, a missing recipient or object, a late
/// action — is handed to the general path, which rejects it with its
/// reason). The result is the same as the general path's; tests compare them.
///
/// Compiled once per action type; the evaluator flattens every type's plan
/// into one ``DirectTable``, which is what it reads per action.
struct DirectPlan: Sendable {
  struct Rule: Sendable {
    /// Index among all rules (for once-per keys and ledger entries).
    var globalIndex: Int
    /// The string field naming the recipient; nil for the actor.
    var recipientField: Int?
    /// The string field that is the once-per key; nil when the rule has none.
    var onceField: Int?
    /// The rule's amounts in ``DirectPlan/amounts``.
    var amounts: Range<Int>
    /// The rule's counts in ``DirectPlan/counts``.
    var counts: Range<Int>
    /// The rule's condition in ``DirectPlan/conditions``; nil when it always applies.
    var condition: Int?
    var from: Timestamp?
    var until: Timestamp?
    /// Whether it changes a member: false for a rule that only counts into objects.
    var touchesMember: Bool
    /// Whether it touches windowed state (caps, windowed counters): its
    /// recipient is checked for lateness first. Set by ``DirectTable``, from
    /// the evaluator's ``WindowedItems``.
    var windowed = false
  }

  struct Amount: Sendable {
    var currency: Int
    /// Signed: deductions are negative.
    var amount: Int64
    /// The dependency bit of the currency (what re-ranking and badges watch).
    var dirty: UInt64
    /// Whether caps limit it: they are in ``DirectTable/amountCaps`` (kept
    /// apart so that reading an amount retains no array).
    var capped: Bool
  }

  struct Count: Sendable {
    var counter: Int
    var by: Int64
    /// The object that keeps the counter; nil for the recipient's own.
    var object: Int?
    /// The dependency bit of the counter.
    var dirty: UInt64
  }

  let rules: [Rule]
  /// Every rule's amounts, one rule after another, and each amount's caps.
  let amounts: [Amount]
  let amountCaps: [[Int]]
  /// Every rule's counts, one rule after another.
  let counts: [Count]
  let conditions: [ActionCondition]
  /// Whether the action type loads objects (its rules count into them or badges read them).
  let loadsObjects: Bool

  /// What compiling a plan needs to know of the scheme.
  struct Scheme {
    var currencyBits: [UInt64]
    var counterBits: [UInt64]
    var counters: [CompiledCounter]
  }

  /// The direct form of an action's rules, or nil when some rule needs the general path.
  init?(rules compiled: [CompiledRule], bonuses: [Int], streaks: [Int], objects: [Int], scheme: Scheme) {
    guard bonuses.isEmpty, streaks.isEmpty, compiled.count <= 64 else { return nil }
    var rules: [Rule] = []
    var amounts: [Amount] = []
    var amountCaps: [[Int]] = []
    var counts: [Count] = []
    var conditions: [ActionCondition] = []
    for rule in compiled {
      guard rule.when == nil || rule.actionCondition != nil, rule.progress.isEmpty, rule.cooldownSeconds == nil,
        rule.recipient == nil || rule.recipientField != nil, rule.oncePer == nil || rule.onceField != nil
      else { return nil }
      let start = (amounts.count, counts.count)
      for (i, (currency, program)) in rule.amounts.enumerated() {
        guard case .int(let constant)? = program.constant else { return nil }
        let (signed, overflow) = constant.multipliedReportingOverflow(by: rule.signs[i])
        guard !overflow else { return nil }
        amounts.append(
          Amount(
            currency: currency, amount: signed, dirty: scheme.currencyBits[currency], capped: !rule.caps[i].isEmpty))
        amountCaps.append(rule.caps[i])
      }
      for (counter, program) in rule.counts {
        var by: Int64 = 1
        if let program {
          guard case .int(let constant)? = program.constant else { return nil }
          by = constant
        }
        guard scheme.counters[counter].key == nil else { return nil }
        counts.append(
          Count(
            counter: counter, by: by, object: scheme.counters[counter].object, dirty: scheme.counterBits[counter]))
      }
      var condition: Int?
      if let c = rule.actionCondition {
        condition = conditions.count
        conditions.append(c)
      }
      rules.append(
        Rule(
          globalIndex: rule.globalIndex, recipientField: rule.recipientField, onceField: rule.onceField,
          amounts: start.0..<amounts.count, counts: start.1..<counts.count, condition: condition, from: rule.from,
          until: rule.until, touchesMember: rule.touchesMember))
    }
    self.rules = rules
    self.amounts = amounts
    self.amountCaps = amountCaps
    self.counts = counts
    self.conditions = conditions
    loadsObjects = !objects.isEmpty
  }
}

/// Every action type's ``DirectPlan``, in flat arrays that the evaluator
/// owns: reading a plan per action then retains nothing (a plan fetched
/// from its ``CompiledAction`` costs two atomic reference-count updates per
/// action, on a path of a few hundred nanoseconds).
struct DirectTable: Sendable {
  /// One action type's plan: ranges into the arrays below.
  struct Plan: Sendable {
    var rules: Range<Int>
    var loadsObjects: Bool
    /// Whether some rule has a condition, caps, windowed state or counts, or the type loads objects.
    var guarded: Bool
  }

  /// Per action type; nil when the type takes the general path.
  let plans: [Plan?]
  let rules: [DirectPlan.Rule]
  let amounts: [DirectPlan.Amount]
  let amountCaps: [[Int]]
  let counts: [DirectPlan.Count]
  let conditions: [ActionCondition]

  /// `windowed`: per rule (global index), the windowed items its effects touch.
  init(_ actions: [CompiledAction], windowed: [WindowedItems]) {
    var plans: [Plan?] = []
    var rules: [DirectPlan.Rule] = []
    var amounts: [DirectPlan.Amount] = []
    var amountCaps: [[Int]] = []
    var counts: [DirectPlan.Count] = []
    var conditions: [ActionCondition] = []
    for action in actions {
      guard let direct = action.direct else {
        plans.append(nil)
        continue
      }
      let start = rules.count
      for var rule in direct.rules {
        rule.windowed = !windowed[rule.globalIndex].isEmpty
        rule.amounts = (rule.amounts.lowerBound + amounts.count)..<(rule.amounts.upperBound + amounts.count)
        rule.counts = (rule.counts.lowerBound + counts.count)..<(rule.counts.upperBound + counts.count)
        rule.condition = rule.condition.map { $0 + conditions.count }
        rules.append(rule)
      }
      amounts += direct.amounts
      amountCaps += direct.amountCaps
      counts += direct.counts
      conditions += direct.conditions
      let guarded =
        direct.loadsObjects || !direct.counts.isEmpty || !direct.conditions.isEmpty
        || rules[start...].contains(where: \.windowed) || direct.amounts.contains(where: \.capped)
      plans.append(Plan(rules: start..<rules.count, loadsObjects: direct.loadsObjects, guarded: guarded))
    }
    self.plans = plans
    self.rules = rules
    self.amounts = amounts
    self.amountCaps = amountCaps
    self.counts = counts
    self.conditions = conditions
  }
}
