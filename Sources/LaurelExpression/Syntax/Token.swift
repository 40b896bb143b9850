/// A lexical token of the expression language.
struct Token {
  enum Kind: Equatable {
    case identifier(String)
    case int(UInt64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes
    case punct(String)
    case keyword(String)  // true false null in
    case end
    case invalid(String)
  }
  var kind: Kind
  var range: SourceRange
}
