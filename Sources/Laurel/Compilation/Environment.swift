import LaurelExpression

/// The variables rule expressions may use, with resolvers bound to compiled indices.
struct RuleEnvironment {
  /// `event.*` only: scope, recipients, keys.
  var event = Declarations()
  /// `event.*` and `member.*`: conditions and amounts.
  var rule = Declarations()
  /// Rule variables plus `key`: badge conditions.
  var badge = Declarations()
  var slots = BuiltinSlots()
  var fieldSlots: [Int] = []

  init(book: RuleBook) {
    for env in [\RuleEnvironment.event, \.rule, \.badge] {
      slots.id = self[keyPath: env].declare("event.id", .string)
      slots.type = self[keyPath: env].declare("event.type", .string)
      slots.user = self[keyPath: env].declare("event.user", .string)
      slots.at = self[keyPath: env].declare("event.at", .timestamp)
      fieldSlots = book.fields.map { self[keyPath: env].declare("event." + $0.name.text, $0.type) }
    }
    for env in [\RuleEnvironment.rule, \.badge] {
      declareMember(into: &self[keyPath: env], book: book)
    }
    slots.key = badge.declare("key", .string)
  }

  private func declareMember(into env: inout Declarations, book: RuleBook) {
    for (i, c) in book.currencies.enumerated() {
      env.declare("member.balances." + c.name.text, .int) { a in .int(MemberContext.of(a).state.balances[i]) }
    }
    for (i, l) in book.ladders.enumerated() {
      env.declare("member.tiers." + l.name.text, .int) { a in .int(Int64(MemberContext.of(a).state.tiers[i])) }
    }
    for (i, t) in book.traits.enumerated() {
      env.declare("member.traits." + t.name.text, .string) { a in
        MemberContext.of(a).state.traits[i].map(Value.string)
      }
    }
    for (i, c) in book.counters.enumerated() {
      let window = c.window
      @Sendable func live(_ ctx: MemberContext) -> CounterState? {
        let s = ctx.state
        guard i < s.counters.count else { return nil }
        if let window, s.counters[i].window != ctx.window(window) { return nil }
        return s.counters[i]
      }
      if c.key == nil {
        env.declare("member.counters." + c.name.text, .int) { a in .int(live(MemberContext.of(a))?.total ?? 0) }
      } else {
        env.declare(
          "member.counters." + c.name.text, .map(.string, .int),
          resolver: { a throws(EvalError) in
            let counts = live(MemberContext.of(a))?.byKey ?? [:]
            return .map(try MapValue(counts.sorted { $0.key < $1.key }.map { (.string($0.key), .int($0.value)) }))
          },
          keyedResolver: { a, key in .int(live(MemberContext.of(a))?.byKey[key.plainText] ?? 0) })
      }
    }
    for (i, p) in book.progress.enumerated() {
      let states = p.states.map(\.text)
      env.declare(
        "member.progress." + p.name.text, .map(.string, .string),
        resolver: { a throws(EvalError) in
          let s = MemberContext.of(a).state
          let entries = (i < s.progress.count ? s.progress[i] : [:]).sorted { $0.key < $1.key }
          return .map(try MapValue(entries.map { (.string($0.key), .string(states[Int($0.value)])) }))
        },
        keyedResolver: { a, key in
          let s = MemberContext.of(a).state
          let index = i < s.progress.count ? s.progress[i][key.plainText] ?? 0 : 0
          return .string(states[Int(index)])
        })
    }
    for (i, s) in book.streaks.enumerated() {
      let every = s.every
      env.declare("member.streaks." + s.name.text, .int) { a in
        let ctx = MemberContext.of(a)
        let state = ctx.state
        guard i < state.streaks.count else { return .int(0) }
        let streak = state.streaks[i]
        // A streak broken by a missed window reads as 0 until the next action restarts it.
        let current = ctx.window(every)
        return .int(streak.lastWindow >= current - 1 ? streak.length : 0)
      }
    }
    env.declare("member.badges", .list(.string)) { a in
      let ctx = MemberContext.of(a)
      return .list(ctx.state.badges.map { .string(ctx.badgeNames[$0.badge]) })
    }
  }
}
