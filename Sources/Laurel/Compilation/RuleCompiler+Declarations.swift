import LaurelDiagnostics
import LaurelExpression

extension Compilation {
  mutating func compileTraits() -> [CompiledTrait] {
    book.traits.map { t in
      let values = Set(t.values.map(\.text))
      _ = index(t.values, kind: "value of trait '\(t.name.text)'")
      if let d = t.defaultValue, !values.isEmpty, !values.contains(d.text) {
        error(
          .invalidValue,
          "default '\(d.text)' of trait '\(t.name.text)' is not one of its values: \(t.values.map(\.text).joined(separator: ", "))",
          at: d.location)
      }
      return CompiledTrait(name: t.name.text, values: values, defaultValue: t.defaultValue?.text)
    }
  }

  mutating func compileCounters(env: RuleEnvironment, currencyIndex: [String: Int]) -> [CompiledCounter] {
    let objectIndex = index(book.objects.map(\.name), kind: "object")
    return book.counters.map { c in
      if let tracks = c.tracks { _ = resolve(tracks, in: currencyIndex, kind: "currency") }
      if let earned = c.earned { _ = resolve(earned, in: currencyIndex, kind: "currency") }
      if c.tracks != nil && c.earned != nil {
        error(
          .invalidValue,
          "counter '\(c.name.text)' gives both 'tracks' and 'earned'; a counter adds up one of them (use two counters)",
          at: c.name.location)
      }
      let object = c.of.flatMap { resolve($0, in: objectIndex, kind: "object") }
      if let of = c.of, c.tracks != nil || c.earned != nil || c.window != nil {
        error(
          .invalidValue,
          "counter '\(c.name.text)' is kept by each \(of.text), which has no balances or calendar: "
            + "it cannot take 'tracks', 'earned' or 'window' (use a member's counter for those)",
          at: c.name.location)
      }
      return CompiledCounter(
        name: c.name.text,
        key: c.key.flatMap { expression($0, in: env.event, expecting: nil, role: "a counter's key") }, window: c.window,
        object: object)
    }
  }

  /// Objects: each one's key, from the action alone.
  mutating func compileObjects(env: RuleEnvironment) -> [CompiledObject] {
    book.objects.compactMap { o in
      if Self.reservedNames.contains(o.name.text) {
        error(
          .invalidValue, "'\(o.name.text)' is reserved in expressions; give this object another name",
          at: o.name.location, length: o.name.text.count)
      }
      guard let key = expression(o.key, in: env.event, expecting: nil, role: "an object's key") else { return nil }
      return CompiledObject(name: o.name.text, key: key, keyText: o.key.text, keyField: stringField(read: key))
    }
  }

  mutating func compileProgress(env: RuleEnvironment) -> [CompiledProgress] {
    book.progress.compactMap { p in
      _ = index(p.states, kind: "state of progress '\(p.name.text)'")
      if p.states.isEmpty {
        error(.missingKey, "progress '\(p.name.text)' needs at least one state", at: p.name.location)
      }
      guard let key = expression(p.key, in: env.event, expecting: nil, role: "a progress key") else { return nil }
      return CompiledProgress(name: p.name.text, key: key, states: p.states.map(\.text))
    }
  }

  mutating func compileCaps(
    currencyIndex: [String: Int], ruleIDs: [String: Int], bonusIndex: [String: Int]
  ) -> [CompiledCap] {
    book.caps.compactMap { cap in
      for r in cap.rules + cap.exempt where ruleIDs[r.text] == nil && bonusIndex[r.text] == nil {
        let all = Array(ruleIDs.keys) + Array(bonusIndex.keys)
        error(
          .undeclared, "unknown rule '\(r.text)' in cap '\(cap.name.text)'\(Suggestions.didYouMean(r.text, in: all))",
          at: r.location, length: r.text.count)
      }
      if cap.max < 0 { error(.invalidValue, "cap '\(cap.name.text)' has a negative max", at: cap.name.location) }
      guard let currency = resolve(cap.currency, in: currencyIndex, kind: "currency") else { return nil }
      return CompiledCap(name: cap.name.text, currency: currency, max: cap.max, per: cap.per, net: cap.net)
    }
  }

  /// The caps that limit payments of `currency` by the rule or bonus named `id`.
  func capIndices(for id: String, currency: Int, compiled: [CompiledCap]) -> [Int] {
    book.caps.indices.filter { i in
      let cap = book.caps[i]
      guard i < compiled.count, compiled[i].currency == currency else { return false }
      if cap.exempt.contains(where: { $0.text == id }) { return false }
      return cap.rules.isEmpty || cap.rules.contains { $0.text == id }
    }
  }

  mutating func compileLadders(currencyIndex: [String: Int], traitIndex: [String: Int]) -> [CompiledLadder] {
    book.ladders.compactMap { l in
      let currency = resolve(l.currency, in: currencyIndex, kind: "currency")
      var segment: Int?
      if let s = l.segment { segment = resolve(s, in: traitIndex, kind: "trait") }
      _ = index(l.tiers.map(\.name), kind: "tier of ladder '\(l.name.text)'")
      if l.tiers.isEmpty { error(.missingKey, "ladder '\(l.name.text)' needs at least one tier", at: l.name.location) }
      for (previous, tier) in zip(l.tiers, l.tiers.dropFirst()) where tier.threshold <= previous.threshold {
        error(
          .invalidValue,
          "tier '\(tier.name.text)' needs more than \(previous.threshold) (the threshold of '\(previous.name.text)'): thresholds must increase strictly",
          at: tier.location ?? tier.name.location)
      }
      let allowed = segment.map { Set(book.traits[$0].values.map(\.text)) } ?? []
      var tiers: [CompiledTier] = []
      for tier in l.tiers {
        var access: Set<String>?
        let named = tier.access.filter { $0.text != "All" }
        if !named.isEmpty && named.count == tier.access.count {
          if segment == nil {
            error(
              .missingKey, "tier '\(tier.name.text)' limits access, so ladder '\(l.name.text)' needs a 'segment' trait",
              at: tier.access[0].location)
          }
          for value in named where !allowed.isEmpty && !allowed.contains(value.text) {
            error(
              .invalidValue,
              "'\(value.text)' is not a value of trait '\(l.segment?.text ?? "")'\(Suggestions.didYouMean(value.text, in: allowed.sorted()))",
              at: value.location, length: value.text.count)
          }
          access = Set(named.map(\.text))
        }
        tiers.append(
          CompiledTier(name: tier.name.text, threshold: tier.threshold, access: access, attributes: tier.attributes))
      }
      guard let currency else { return nil }
      return CompiledLadder(
        name: l.name.text, currency: currency, policy: l.policy, segmentTrait: segment, overridable: l.overridable,
        tiers: tiers)
    }
  }

  func makeDependencies() -> Dependencies {
    var next = 1
    func bits(_ n: Int) -> [UInt64] {
      (0..<n).map { _ in
        defer { next += 1 }
        return next < 63 ? 1 << UInt64(next) : 1 << 63
      }
    }
    let currency = bits(book.currencies.count)
    let counter = bits(book.counters.count)
    let trait = bits(book.traits.count)
    let progress = bits(book.progress.count)
    let streak = bits(book.streaks.count)
    let ladder = bits(book.ladders.count)
    return Dependencies(
      currency: currency, counter: counter, trait: trait, progress: progress, streak: streak, ladder: ladder,
      badges: bits(1)[0])
  }

  mutating func compileBonuses(currencyIndex: [String: Int], caps: [CompiledCap]) -> [CompiledBonus] {
    book.bonuses.map { b in
      var amounts: [(Int, Int64)] = []
      for a in b.amounts {
        guard let currency = resolve(a.currency, in: currencyIndex, kind: "currency") else { continue }
        guard let value = Int64(a.amount.text.filter { $0 != " " }) else {
          error(.wrongType, "a bonus amount must be a whole number, not '\(a.amount.text)'", at: a.amount.location)
          continue
        }
        guard value >= 0 else {
          error(.invalidValue, "a bonus amount must be 0 or more, not \(value)", at: a.amount.location)
          continue
        }
        amounts.append((currency, a.isDeduction ? -value : value))
      }
      return CompiledBonus(
        name: b.name.text, every: b.every, amounts: amounts,
        caps: amounts.map { self.capIndices(for: b.name.text, currency: $0.0, compiled: caps) })
    }
  }

  mutating func compileBadges(env: RuleEnvironment, deps: Dependencies) -> [CompiledBadge] {
    book.badges.map { b in
      if !b.manual && b.when == nil {
        error(
          .missingKey, "badge '\(b.name.text)' needs a 'when' condition, or 'manual: true' for badges admins grant",
          at: b.name.location)
      }
      let key = b.key.flatMap { expression($0, in: env.event, expecting: nil, role: "a badge's key") }
      let when = b.when.flatMap { expression($0, in: env.badge, expecting: .bool) }
      let to = b.to.flatMap { expression($0, in: env.event, expecting: .string, role: "to") }
      var mask = Dependencies.touched
      for name in (key?.references ?? []).union(when?.references ?? []) {
        mask |= dependencyBits(of: name, deps: deps)
      }
      return CompiledBadge(
        name: b.name.text, title: b.title ?? b.name.text, summary: b.summary, key: key,
        keyField: stringField(read: key), when: when, to: to,
        toField: stringField(read: to), manual: b.manual, dependsOn: mask)
    }
  }

  func dependencyBits(of variable: String, deps: Dependencies) -> UInt64 {
    let parts = variable.split(separator: ".").map(String.init)
    guard parts.count >= 2, parts[0] == "member" else { return 0 }
    if parts[1] == "badges" { return deps.badges }
    guard parts.count >= 3 else { return 0 }
    let name = parts[2]
    switch parts[1] {
    case "balances": return book.currencies.firstIndex { $0.name.text == name }.map { deps.currency[$0] } ?? 0
    case "counters": return book.counters.firstIndex { $0.name.text == name }.map { deps.counter[$0] } ?? 0
    case "traits": return book.traits.firstIndex { $0.name.text == name }.map { deps.trait[$0] } ?? 0
    case "progress": return book.progress.firstIndex { $0.name.text == name }.map { deps.progress[$0] } ?? 0
    case "streaks": return book.streaks.firstIndex { $0.name.text == name }.map { deps.streak[$0] } ?? 0
    case "tiers": return book.ladders.firstIndex { $0.name.text == name }.map { deps.ladder[$0] } ?? 0
    default: return 0
    }
  }
}
