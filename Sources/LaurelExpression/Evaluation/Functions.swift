/// The outcome of checking a call against the function catalogue.
enum FunctionCheck {
  case ok(ExprType)
  case unknown
  case mismatch(String)
}

/// The standard functions: their static types and their run-time behaviour.
enum Functions {
  static let conversions: [String: (accepts: Set<ExprType>, result: ExprType)] = [
    "int": ([.int, .uint, .double, .string, .timestamp], .int),
    "uint": ([.int, .uint, .double, .string], .uint),
    "double": ([.int, .uint, .double, .string], .double),
    "string": ([.int, .uint, .double, .string, .bool, .timestamp, .duration], .string),
    "bool": ([.bool, .string], .bool),
    "timestamp": ([.string, .int, .timestamp], .timestamp),
    "duration": ([.string, .duration], .duration),
  ]
  static let stringPredicates: Set<String> = ["contains", "startsWith", "endsWith", "matches"]
  static let timestampGetters: Set<String> = [
    "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear",
    "getHours", "getMinutes", "getSeconds", "getMilliseconds",
  ]
  static let durationGetters: Set<String> = ["getHours", "getMinutes", "getSeconds", "getMilliseconds"]
  /// From CEL's math extension: the least or greatest of numbers, given as arguments or as one list.
  static let mathExtremes: Set<String> = ["math.least", "math.greatest"]
  static let globalNames = ["size", "dyn", "matches"] + conversions.keys.sorted() + mathExtremes.sorted()
  static let receiverNames = ["size"] + stringPredicates.sorted() + timestampGetters.sorted()

  static func resultType(_ name: String, target: ExprType?, args: [ExprType]) -> FunctionCheck {
    func mismatch(_ expected: String) -> FunctionCheck {
      let given = ((target.map { [$0] } ?? []) + args).map(\.description).joined(separator: ", ")
      return .mismatch("\(name)() expects \(expected), but was given (\(given))")
    }
    guard let target else {
      if name == "dyn" { return args.count == 1 ? .ok(.dyn) : mismatch("one argument") }
      if name == "size" {
        guard args.count == 1 else { return mismatch("one argument") }
        return isSized(args[0]) ? .ok(.int) : mismatch("a string, list or map")
      }
      if name == "matches" {
        return args.count == 2 && args.allSatisfy({ $0 == .string || $0.isDyn })
          ? .ok(.bool) : mismatch("(string, string)")
      }
      if mathExtremes.contains(name) {
        // One list of numbers, or numbers; mixed kinds give a dyn (the value keeps its kind).
        let numbers: [ExprType]
        if args.count == 1, case .list(let element) = args[0] { numbers = [element] } else { numbers = args }
        guard !args.isEmpty, numbers.allSatisfy({ $0.isNumeric || $0.isDyn }) else {
          return mismatch("numbers (int, uint or double), or one list of numbers")
        }
        return .ok(Set(numbers).count == 1 ? numbers[0] : .dyn)
      }
      guard let conversion = conversions[name] else { return .unknown }
      guard args.count == 1 else { return mismatch("one argument") }
      return args[0].isDyn || conversion.accepts.contains(args[0])
        ? .ok(conversion.result)
        : mismatch("one of \(conversion.accepts.map(\.description).sorted().joined(separator: ", "))")
    }
    if name == "size" {
      return args.isEmpty && isSized(target) ? .ok(.int) : mismatch("a string, list or map and no arguments")
    }
    if stringPredicates.contains(name) {
      let okTarget = target == .string || target.isDyn
      return okTarget && args.count == 1 && (args[0] == .string || args[0].isDyn)
        ? .ok(.bool) : mismatch("a string and one string argument")
    }
    if target == .duration || target.isDyn, durationGetters.contains(name), args.isEmpty { return .ok(.int) }
    if timestampGetters.contains(name) {
      let okTarget = target == .timestamp || target.isDyn
      return okTarget && args.count <= 1 && args.allSatisfy({ $0 == .string || $0.isDyn })
        ? .ok(.int) : mismatch("a timestamp and an optional time zone string")
    }
    return .unknown
  }

  private static func isSized(_ t: ExprType) -> Bool {
    switch t {
    case .string, .list, .map, .dyn: true
    default: false
    }
  }

  /// Calls a function on values (the dynamic path; the planner specialises common cases).
  static func call(_ name: String, target: Value?, args: [Value]) throws(EvalError) -> Value {
    if let target {
      switch (name, target, args.count) {
      case ("size", _, 0): return try size(target)
      case ("contains", .string(let s), 1):
        guard case .string(let t) = args[0] else { break }
        return .bool(StringSearch.contains(s, t))
      case ("startsWith", .string(let s), 1):
        guard case .string(let t) = args[0] else { break }
        return .bool(s.utf8.starts(with: t.utf8))
      case ("endsWith", .string(let s), 1):
        guard case .string(let t) = args[0] else { break }
        return .bool(s.utf8.reversed().starts(with: t.utf8.reversed()))
      case ("matches", .string(let s), 1):
        guard case .string(let pattern) = args[0] else { break }
        return .bool(try RegexMatcher(pattern).matches(s))
      case (_, .timestamp(let ts), 0...1) where timestampGetters.contains(name):
        var zone: String?
        if args.count == 1 {
          guard case .string(let z) = args[0] else { break }
          zone = z
        }
        return .int(try TimeAccessors.get(name, ts, zone: zone))
      case (_, .duration(let d), 0) where durationGetters.contains(name):
        return .int(TimeAccessors.get(name, d))
      default: break
      }
      throw EvalError("no such overload: \(target.typeName).\(name)(\(args.map(\.typeName).joined(separator: ", ")))")
    }
    switch (name, args.count) {
    case ("size", 1): return try size(args[0])
    case ("dyn", 1): return args[0]
    case ("matches", 2): return try call("matches", target: args[0], args: [args[1]])
    case (_, 1) where conversions[name] != nil: return try Conversions.convert(args[0], to: name)
    case (_, 1...) where mathExtremes.contains(name): return try extreme(name, args)
    default:
      if conversions[name] == nil && name != "size" && name != "dyn" && !mathExtremes.contains(name) {
        throw EvalError("unknown function '\(name)'")
      }
      throw EvalError("no such overload: \(name)(\(args.map(\.typeName).joined(separator: ", ")))")
    }
  }

  /// `math.least` / `math.greatest`: the first least (greatest) of the numbers, kept in its own kind.
  static func extreme(_ name: String, _ args: [Value]) throws(EvalError) -> Value {
    var numbers = args
    if args.count == 1, case .list(let list) = args[0] { numbers = list }
    guard var best = numbers.first else { throw EvalError("\(name)() needs at least one number; the list is empty") }
    let wanted = name == "math.least" ? -1 : 1
    for number in numbers {
      switch number {
      case .int, .uint, .double: break
      default: throw EvalError("\(name)() takes numbers, not \(number.typeName)")
      }
      guard let order = Value.compareNumbers(number, best) else { throw EvalError("\(name)() cannot order NaN") }
      if order == wanted { best = number }
    }
    return best
  }

  static func size(_ v: Value) throws(EvalError) -> Value {
    switch v {
    case .string(let s): return .int(Int64(s.unicodeScalars.count))
    case .list(let l): return .int(Int64(l.count))
    case .map(let m): return .int(Int64(m.count))
    default: throw EvalError.noSuchOverload("size", v)
    }
  }
}

/// Substring search by UTF-8 bytes (no Unicode normalisation, as CEL requires).
enum StringSearch {
  static func contains(_ haystack: String, _ needle: String) -> Bool {
    if needle.isEmpty { return true }
    var h = haystack
    var n = needle
    return h.withUTF8 { hb in
      n.withUTF8 { nb in
        guard nb.count <= hb.count else { return false }
        let first = nb[0]
        var i = 0
        let last = hb.count - nb.count
        while i <= last {
          if hb[i] == first {
            var j = 1
            while j < nb.count && hb[i + j] == nb[j] { j += 1 }
            if j == nb.count { return true }
          }
          i += 1
        }
        return false
      }
    }
  }
}
