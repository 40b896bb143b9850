extension BinaryOperator {
  var isComparison: Bool {
    switch self {
    case .less, .lessOrEqual, .greater, .greaterOrEqual: true
    default: false
    }
  }
}

/// Static typing rules of the binary operators.
enum Operators {
  private static let ordered: Set<ExprType> = [.int, .uint, .double, .string, .bool, .timestamp, .duration]

  /// The result type of `lt op rt`, or nil when no overload applies.
  static func resultType(_ op: BinaryOperator, _ lt: ExprType, _ rt: ExprType) -> ExprType? {
    switch op {
    case .add:
      if lt.isDyn || rt.isDyn { return lt.isDyn ? (rt.isNumeric || rt == .string ? rt : .dyn) : lt }
      switch (lt, rt) {
      case (.int, .int), (.uint, .uint), (.double, .double), (.string, .string), (.duration, .duration): return lt
      case (.list(let a), .list(let b)): return .list(a.joined(with: b))
      case (.timestamp, .duration), (.duration, .timestamp): return .timestamp
      default: return nil
      }
    case .subtract:
      if lt.isDyn || rt.isDyn { return lt.isDyn ? (rt.isNumeric ? rt : .dyn) : (lt.isNumeric ? lt : .dyn) }
      switch (lt, rt) {
      case (.int, .int), (.uint, .uint), (.double, .double), (.duration, .duration): return lt
      case (.timestamp, .timestamp): return .duration
      case (.timestamp, .duration): return .timestamp
      default: return nil
      }
    case .multiply, .divide:
      if lt.isDyn || rt.isDyn { return lt.isDyn ? (rt.isNumeric ? rt : .dyn) : (lt.isNumeric ? lt : nil) }
      return lt == rt && lt.isNumeric ? lt : nil
    case .remainder:
      if lt.isDyn || rt.isDyn { return lt.isDyn ? rt : lt }
      return lt == rt && (lt == .int || lt == .uint) ? lt : nil
    case .equal, .notEqual:
      if lt.isCompatible(with: rt) || (lt.isNumeric && rt.isNumeric) || lt == .null || rt == .null { return .bool }
      return nil
    case .less, .lessOrEqual, .greater, .greaterOrEqual:
      if lt.isNumeric && rt.isNumeric { return .bool }
      if lt.isDyn { return ordered.contains(rt) || rt.isDyn ? .bool : nil }
      if rt.isDyn { return ordered.contains(lt) ? .bool : nil }
      return lt == rt && ordered.contains(lt) ? .bool : nil
    case .in:
      switch rt {
      case .list(let element), .map(let element, _):
        return element.isCompatible(with: lt) || (element.isNumeric && lt.isNumeric) ? .bool : nil
      case .dyn: return .bool
      default: return nil
      }
    }
  }

  /// A message for a mismatch, with a fix where one is obvious.
  static func mismatchMessage(
    _ op: BinaryOperator, _ lt: ExprType, _ rt: ExprType, left: String, right: String
  ) -> String {
    let symbol = op.rawValue
    if lt.isNumeric && rt.isNumeric {
      let target = lt == .double || rt == .double ? "double" : "int"
      let fix =
        lt.description == target ? "\(left) \(symbol) \(target)(\(right))" : "\(target)(\(left)) \(symbol) \(right)"
      return "operator '\(symbol)' cannot mix \(lt) and \(rt); convert one side, e.g. write \(fix)"
    }
    switch op {
    case .equal, .notEqual:
      return
        "comparing \(lt) with \(rt) with '\(symbol)' can never match; convert one side (e.g. string(...) or int(...))"
    case .in:
      return "'in' needs a list or map on the right whose elements match \(lt), found \(rt)"
    default:
      return "operator '\(symbol)' does not apply to \(lt) and \(rt)"
    }
  }
}
