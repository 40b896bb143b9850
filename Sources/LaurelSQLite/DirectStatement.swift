import GRDB
import Foundation
import GRDBSQLite

/// Binds, steps and reads a statement GRDB prepared (and caches) through
/// SQLite's C API. The per-action statements run millions of times in an
/// import; building GRDB argument arrays for them cost more than the SQL.
/// Everything else (connections, transactions, migrations) stays with GRDB.
struct DirectStatement {
  private let handle: SQLiteStatement
  private let db: Database
  private let sql: String

  init(_ db: Database, _ sql: String) throws {
    handle = try db.cachedStatement(sql: sql).sqliteStatement
    self.db = db
    self.sql = sql
    sqlite3_reset(handle)
  }

  func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

  func bind(_ index: Int32, _ value: Int64?) {
    if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
  }

  func bind(_ index: Int32, _ value: String) {
    var value = value
    value.withUTF8 { bytes in
      _ = sqlite3_bind_text(
        handle, index, bytes.baseAddress.map(UnsafeRawPointer.init)?.assumingMemoryBound(to: CChar.self),
        Int32(bytes.count), Self.transient)
    }
  }

  func bind(_ index: Int32, _ value: String?) {
    if let value { bind(index, value) } else { sqlite3_bind_null(handle, index) }
  }

  func bind(_ index: Int32, blob: [UInt8]) {
    blob.withUnsafeBytes { bytes in
      _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
    }
  }

  /// Runs a statement that returns no rows; the number of rows it changed.
  @discardableResult
  func run() throws -> Int {
    let code = sqlite3_step(handle)
    defer { sqlite3_reset(handle) }
    guard code == SQLITE_DONE else { throw failure(code) }
    return Int(sqlite3_changes(db.sqliteConnection))
  }

  /// Steps through every row; `read` sees each (while it is valid).
  func forEach(_ read: (Row) throws -> Void) throws {
    defer { sqlite3_reset(handle) }
    while true {
      let code = sqlite3_step(handle)
      switch code {
      case SQLITE_ROW: try read(Row(handle: handle))
      case SQLITE_DONE: return
      default: throw failure(code)
      }
    }
  }

  /// Steps to the first row; `read` sees it (while it is valid). Nil when there is none.
  func first<R>(_ read: (Row) throws -> R) throws -> R? {
    let code = sqlite3_step(handle)
    defer { sqlite3_reset(handle) }
    switch code {
    case SQLITE_ROW: return try read(Row(handle: handle))
    case SQLITE_DONE: return nil
    default: throw failure(code)
    }
  }

  private func failure(_ code: Int32) -> DatabaseError {
    DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: sql)
  }

  /// The current row's columns.
  struct Row {
    let handle: SQLiteStatement
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    /// Whether a text column holds `text`, compared as bytes (no string is made).
    func equals(_ column: Int32, _ text: String) -> Bool {
      let count = Int(sqlite3_column_bytes(handle, column))
      guard let bytes = sqlite3_column_text(handle, column) else { return text.isEmpty }
      var text = text
      return text.withUTF8 { utf8 in
        utf8.count == count && (count == 0 || memcmp(utf8.baseAddress!, bytes, count) == 0)
      }
    }

    /// A text column as a string ("" for NULL).
    func string(_ column: Int32) -> String {
      guard let text = sqlite3_column_text(handle, column) else { return "" }
      return String(cString: text)
    }
    /// A blob column's bytes, valid only inside the enclosing `first` call.
    func blob(_ column: Int32) -> UnsafeRawBufferPointer {
      let count = Int(sqlite3_column_bytes(handle, column))
      guard let base = sqlite3_column_blob(handle, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
      return UnsafeRawBufferPointer(start: base, count: count)
    }
  }

  private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
