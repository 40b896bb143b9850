public import GRDB

/// The errors a store reports, with a kind for hosts to switch on and a
/// sentence for people.
extension SQLiteStore {
  /// What went wrong with a store's file, for hosts to switch on.
  public enum Problem: Sendable, Equatable {
    /// Not a database, or one with tables Laurel did not create.
    case notLaurel
    /// Written by a newer version of Laurel.
    case newerVersion
    /// Written by an older version of Laurel and opened read-only, so it cannot be upgraded.
    case olderVersion
    /// Damaged pages or a damaged member state.
    case damaged
    /// The file or its folder cannot be written.
    case unwritable
    /// The disk (or `Options.maxSizeMiB`) is full.
    case full
    /// Another process held the store's write lock longer than the busy timeout.
    case busy
    /// Anything else SQLite reported.
    case other

    /// The stable code: `STORE_NOT_LAUREL`, `STORE_BUSY`, …
    public var code: String {
      switch self {
      case .notLaurel: "STORE_NOT_LAUREL"
      case .newerVersion: "STORE_NEWER_VERSION"
      case .olderVersion: "STORE_OLDER_VERSION"
      case .damaged: "STORE_DAMAGED"
      case .unwritable: "STORE_UNWRITABLE"
      case .full: "STORE_FULL"
      case .busy: "STORE_BUSY"
      case .other: "STORE_ERROR"
      }
    }
  }

  /// Why a file cannot be used as a Laurel store.
  public struct OpenError: Error, CustomStringConvertible {
    public var kind: Problem
    /// The kind's stable code.
    public var code: String { kind.code }
    public var description: String

    init(kind: Problem = .other, description: String) {
      self.kind = kind
      self.description = description
    }

    init(_ error: DatabaseError, path: String) {
      let kind = SQLiteStore.problem(error)
      let what = kind == .busy ? "cannot be opened now" : "cannot be used as a Laurel store"
      self.init(kind: kind, description: "\(path) \(what): \(SQLiteStore.explain(error))")
    }
  }

  /// Why a transaction failed (disk full, file made read-only, damaged pages,
  /// a store kept busy by another process); it was rolled back, so nothing
  /// of it is in the store.
  public struct WriteError: Error, CustomStringConvertible {
    public var kind: Problem
    /// The kind's stable code.
    public var code: String { kind.code }
    public var description: String
    public var underlying: DatabaseError

    init(description: String, underlying: DatabaseError) {
      kind = SQLiteStore.problem(underlying)
      self.description = description
      self.underlying = underlying
    }
  }

  /// A sentence for SQLite's most common refusals.
  static func explain(_ error: DatabaseError) -> String {
    switch error.resultCode {
    case .SQLITE_NOTADB: "the file is not a database (or is damaged)"
    case .SQLITE_CORRUPT: "the database file is damaged"
    case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM: "the file (or its folder) cannot be written"
    case .SQLITE_FULL: "the disk is full"
    case .SQLITE_BUSY, .SQLITE_LOCKED:
      "the store is busy: another process held its write lock for longer than the busy timeout; try again once it is done, or give a longer --busy-timeout"
    default: error.message ?? "\(error)"
    }
  }

  static func problem(_ error: DatabaseError) -> Problem {
    switch error.resultCode {
    case .SQLITE_NOTADB: .notLaurel
    case .SQLITE_CORRUPT: .damaged
    case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM: .unwritable
    case .SQLITE_FULL: .full
    case .SQLITE_BUSY, .SQLITE_LOCKED: .busy
    default: .other
    }
  }
}
