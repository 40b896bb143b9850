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
      declareObjects(into: &self[keyPath: env], book: book)
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
    for (i, c) in book.counters.enumerated() where c.of == nil {
      let window = c.window
      /// Whether the member's counter counts the action's window (a windowed
      /// counter from a past window reads 0).
      @Sendable func live(_ ctx: MemberContext) -> Bool {
        guard i < ctx.state.counters.count else { return false }
        guard let window else { return true }
        return ctx.state.counters[i].window == ctx.window(window)
      }
      if c.key == nil {
        env.declare("member.counters." + c.name.text, .int) { a in
          let ctx = MemberContext.of(a)
          return .int(live(ctx) ? ctx.state.counters[i].total : 0)
        }
      } else {
        env.declare(
          "member.counters." + c.name.text, .map(.string, .int),
          resolver: { a throws(EvalError) in
            let ctx = MemberContext.of(a)
            let counts = live(ctx) ? ctx.state.counters[i].byKey : [:]
            return .map(try MapValue(counts.sorted { $0.key < $1.key }.map { (.string($0.key), .int($0.value)) }))
          },
          keyedResolver: { a, key in
            let ctx = MemberContext.of(a)
            guard live(ctx) else { return .int(0) }
            if case .string(let k) = key { return .int(ctx.state.counters[i].byKey[k] ?? 0) }
            return .int(ctx.state.counters[i].byKey[key.plainText] ?? 0)
          })
      }
    }
    for (i, p) in book.progress.enumerated() {
      let states = p.states.map(\.text)
      env.declare(
        "member.progress." + p.name.text, .map(.string, .string),
        resolver: { a throws(EvalError) in
          let ctx = MemberContext.of(a)
          let entries = (i < ctx.state.progress.count ? ctx.state.progress[i] : [:]).sorted { $0.key < $1.key }
          return .map(try MapValue(entries.map { (.string($0.key), .string(states[Int($0.value)])) }))
        },
        keyedResolver: { a, key in
          let ctx = MemberContext.of(a)
          let index = i < ctx.state.progress.count ? ctx.state.progress[i][key.plainText] ?? 0 : 0
          return .string(states[Int(index)])
        })
    }
    for (i, s) in book.streaks.enumerated() {
      let every = s.every
      env.declare("member.streaks." + s.name.text, .int) { a in
        let ctx = MemberContext.of(a)
        guard i < ctx.state.streaks.count else { return .int(0) }
        let streak = ctx.state.streaks[i]
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

  /// `post.counters.<name>`: the counters an object keeps, read from the
  /// action's object (a new object's counters read 0).
  private func declareObjects(into env: inout Declarations, book: RuleBook) {
    for (o, object) in book.objects.enumerated() {
      for (i, c) in book.counters.enumerated() where c.of?.text == object.name.text {
        let name = object.name.text + ".counters." + c.name.text
        if c.key == nil {
          env.declare(name, .int) { a in
            let objects = MemberContext.of(a).objects
            return .int(o < objects.count && i < objects[o].count ? objects[o][i].total : 0)
          }
          continue
        }
        @Sendable func count(_ a: Activation, _ key: String) -> Int64 {
          let objects = MemberContext.of(a).objects
          guard o < objects.count, i < objects[o].count else { return 0 }
          return objects[o][i].byKey[key] ?? 0
        }
        env.declare(
          name, .map(.string, .int),
          resolver: { a throws(EvalError) in
            let objects = MemberContext.of(a).objects
            let counts = o < objects.count && i < objects[o].count ? objects[o][i].byKey : [:]
            return .map(try MapValue(counts.sorted { $0.key < $1.key }.map { (.string($0.key), .int($0.value)) }))
          },
          keyedResolver: { a, key in .int(count(a, key.plainText)) })
      }
    }
  }
}
