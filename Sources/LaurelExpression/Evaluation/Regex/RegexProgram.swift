/// A regular expression compiled to a Thompson NFA and run as a Pike VM:
/// every position of the input is visited once with at most one thread per
/// instruction, so a search takes time proportional to the input's length
/// times the program's size, whatever the pattern (`(a+)+$` included), and
/// the program's size is bounded. This is the guarantee RE2 gives and CEL's
/// `matches` assumes.
struct RegexProgram: Sendable {
  enum Instruction: Sendable {
    /// Consumes one scalar in the set (index into `sets`).
    case consume(Int)
    /// Continues at both targets.
    case split(Int, Int)
    case jump(Int)
    case assert(RegexAssertion)
    case match
  }

  private(set) var instructions: [Instruction] = []
  private(set) var sets: [ScalarSet] = []

  /// The most instructions a pattern may compile to (`(a{1000}){1000}` would be a million).
  static let maxInstructions = 20_000

  init(_ pattern: String) throws(RegexSyntaxError) {
    let node = try RegexParser.parse(pattern)
    try emit(node)
    instructions.append(.match)
  }

  private mutating func append(_ instruction: Instruction) throws(RegexSyntaxError) -> Int {
    guard instructions.count < Self.maxInstructions else {
      throw RegexSyntaxError(
        message: "the pattern is too large (over \(Self.maxInstructions) steps once repetitions are counted)")
    }
    instructions.append(instruction)
    return instructions.count - 1
  }

  private mutating func emit(_ node: RegexNode) throws(RegexSyntaxError) {
    switch node {
    case .empty: break
    case .set(let set):
      sets.append(set)
      _ = try append(.consume(sets.count - 1))
    case .assertion(let assertion): _ = try append(.assert(assertion))
    case .concat(let items): for item in items { try emit(item) }
    case .alternate(let branches):
      // split L1, next; L1: a; jump end; next: split L2, … ; last branch.
      var jumps: [Int] = []
      for (i, branch) in branches.enumerated() {
        if i < branches.count - 1 {
          let split = try append(.split(0, 0))
          try emit(branch)
          jumps.append(try append(.jump(0)))
          instructions[split] = .split(split + 1, instructions.count)
        } else {
          try emit(branch)
        }
      }
      for jump in jumps { instructions[jump] = .jump(instructions.count) }
    case .repetition(let inner, let min, let max):
      for _ in 0..<min { try emit(inner) }
      if let max {
        // Optional copies, each nested in the one before: (a(a(a)?)?)?
        var splits: [Int] = []
        for _ in min..<max {
          splits.append(try append(.split(0, 0)))
          try emit(inner)
        }
        for split in splits { instructions[split] = .split(split + 1, instructions.count) }
      } else {
        // L: split body, end; body; jump L
        let split = try append(.split(0, 0))
        try emit(inner)
        _ = try append(.jump(split))
        instructions[split] = .split(split + 1, instructions.count)
      }
    }
  }

  /// Whether the pattern matches anywhere in `text` (scalar by scalar).
  func matches(_ text: String) -> Bool {
    let input = Array(text.unicodeScalars)
    var current = ThreadList(capacity: instructions.count)
    var next = ThreadList(capacity: instructions.count)
    var stack: [Int] = []
    for i in 0...input.count {
      // Unanchored: a new thread starts at every position.
      if add(0, at: i, in: input, to: &current, stack: &stack) { return true }
      if i == input.count { break }
      let scalar = input[i]
      for pc in current.items {
        guard case .consume(let set) = instructions[pc], sets[set].contains(scalar) else { continue }
        if add(pc + 1, at: i + 1, in: input, to: &next, stack: &stack) { return true }
      }
      swap(&current, &next)
      next.clear()
    }
    return false
  }

  /// Adds the thread at `pc` and every one its jumps, splits and holding
  /// assertions lead to; true when one of them is the match.
  private func add(
    _ pc: Int, at i: Int, in input: [Unicode.Scalar], to list: inout ThreadList, stack: inout [Int]
  ) -> Bool {
    stack.append(pc)
    while let pc = stack.popLast() {
      guard list.insert(pc) else { continue }
      switch instructions[pc] {
      case .match:
        stack.removeAll()
        return true
      case .jump(let target): stack.append(target)
      case .split(let a, let b):
        stack.append(b)
        stack.append(a)
      case .assert(let assertion):
        if holds(assertion, at: i, in: input) { stack.append(pc + 1) }
      case .consume: break
      }
    }
    return false
  }

  private func holds(_ assertion: RegexAssertion, at i: Int, in input: [Unicode.Scalar]) -> Bool {
    let before = i > 0 ? input[i - 1] : nil
    let after = i < input.count ? input[i] : nil
    switch assertion {
    case .textStart: return i == 0
    case .textEnd: return i == input.count
    case .lineStart: return before == nil || before == "\n"
    case .lineEnd: return after == nil || after == "\n"
    case .wordBoundary: return ScalarSet.isWord(before) != ScalarSet.isWord(after)
    case .notWordBoundary: return ScalarSet.isWord(before) == ScalarSet.isWord(after)
    }
  }
}

/// A set of instruction numbers with O(1) insert and clear, kept in insertion order (a sparse set).
private struct ThreadList {
  private var dense: [Int]
  private var sparse: [Int]
  private(set) var count = 0

  init(capacity: Int) {
    dense = Array(repeating: 0, count: capacity)
    sparse = Array(repeating: 0, count: capacity)
  }

  /// False when `pc` is in the list already.
  mutating func insert(_ pc: Int) -> Bool {
    let slot = sparse[pc]
    if slot < count && dense[slot] == pc { return false }
    sparse[pc] = count
    dense[count] = pc
    count += 1
    return true
  }

  var items: ArraySlice<Int> { dense[..<count] }

  mutating func clear() { count = 0 }
}
