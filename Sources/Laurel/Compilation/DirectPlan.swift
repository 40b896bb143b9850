import LaurelExpression

/// An action type whose rules need no evaluation: every amount is a constant,
/// every recipient and once-per key is the actor or a plain string field
/// (`to: event.author`, `once_per: event.lesson`), and nothing else (a
/// condition, counter, progress, cooldown, cap, bonus or streak) is involved.
///
/// Most point schemes are made of such rules (both seed schemes' likes and
/// posts are). The engine applies them in one pass, without the plan phase
/// (which exists so that a rule failing to evaluate rejects the action before
/// anything changed: here every value is checked up front, and an action that
/// fails a check is handed to the general path, which rejects it with its
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
    var from: Timestamp?
    var until: Timestamp?
  }

  struct Amount: Sendable {
    var currency: Int
    /// Signed: deductions are negative.
    var amount: Int64
    /// The dependency bit of the currency (what re-ranking and badges watch).
    var dirty: UInt64
  }

  let rules: [Rule]
  /// Every rule's amounts, one rule after another.
  let amounts: [Amount]
  /// The fields the rules need as non-empty strings (recipients) or strings (once-per keys).
  let recipientFields: [Int]
  let onceFields: [Int]

  /// The direct form of an action's rules, or nil when some rule needs the
  /// general path (which also checks that windowed state only moves forward:
  /// `windowedCurrencies` are those a windowed counter tracks).
  init?(
    rules compiled: [CompiledRule], bonuses: [Int], streaks: [Int], currencyBits: [UInt64], windowedCurrencies: Set<Int>
  ) {
    guard bonuses.isEmpty, streaks.isEmpty else { return nil }
    var rules: [Rule] = []
    var amounts: [Amount] = []
    for rule in compiled {
      guard rule.when == nil, rule.counts.isEmpty, rule.progress.isEmpty, rule.cooldownSeconds == nil,
        rule.caps.allSatisfy(\.isEmpty), rule.recipient == nil || rule.recipientField != nil,
        rule.oncePer == nil || rule.onceField != nil
      else { return nil }
      let start = amounts.count
      for (i, (currency, program)) in rule.amounts.enumerated() {
        guard case .int(let constant)? = program.constant, !windowedCurrencies.contains(currency) else { return nil }
        let (signed, overflow) = constant.multipliedReportingOverflow(by: rule.signs[i])
        guard !overflow else { return nil }
        amounts.append(Amount(currency: currency, amount: signed, dirty: currencyBits[currency]))
      }
      rules.append(
        Rule(
          globalIndex: rule.globalIndex, recipientField: rule.recipientField, onceField: rule.onceField,
          amounts: start..<amounts.count, from: rule.from, until: rule.until))
    }
    self.rules = rules
    self.amounts = amounts
    recipientFields = rules.compactMap(\.recipientField)
    onceFields = rules.compactMap(\.onceField)
  }
}

/// Every action type's ``DirectPlan``, in flat arrays of plain values that
/// the evaluator owns: reading a plan per action then retains nothing (a
/// plan fetched from its ``CompiledAction`` costs two atomic reference-count
/// updates per action, on a path of a few hundred nanoseconds).
struct DirectTable: Sendable {
  /// One action type's plan: ranges into the arrays below.
  struct Plan: Sendable {
    var rules: Range<Int>
    var recipientFields: Range<Int>
    var onceFields: Range<Int>
  }

  /// Per action type; nil when the type takes the general path.
  let plans: [Plan?]
  let rules: [DirectPlan.Rule]
  let amounts: [DirectPlan.Amount]
  let recipientFields: [Int]
  let onceFields: [Int]

  init(_ actions: [CompiledAction]) {
    var plans: [Plan?] = []
    var rules: [DirectPlan.Rule] = []
    var amounts: [DirectPlan.Amount] = []
    var recipientFields: [Int] = []
    var onceFields: [Int] = []
    for action in actions {
      guard let direct = action.direct else {
        plans.append(nil)
        continue
      }
      let start = (rules.count, recipientFields.count, onceFields.count)
      for var rule in direct.rules {
        let offset = amounts.count - rule.amounts.lowerBound
        amounts += direct.amounts[rule.amounts]
        rule.amounts = (rule.amounts.lowerBound + offset)..<(rule.amounts.upperBound + offset)
        rules.append(rule)
      }
      recipientFields += direct.recipientFields
      onceFields += direct.onceFields
      plans.append(
        Plan(
          rules: start.0..<rules.count, recipientFields: start.1..<recipientFields.count,
          onceFields: start.2..<onceFields.count))
    }
    self.plans = plans
    self.rules = rules
    self.amounts = amounts
    self.recipientFields = recipientFields
    self.onceFields = onceFields
  }
}
