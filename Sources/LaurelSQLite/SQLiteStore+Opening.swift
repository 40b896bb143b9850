import Foundation
import GRDB

/// Opening a file: a foreign, damaged or newer one is refused untouched, a
/// new one is created safely while other processes create it too, and a
/// read-only one is read where it lies.
extension SQLiteStore {
  static func prepare(_ writer: any DatabaseWriter, path: String) throws {
    try writer.read { try check($0, path: path) }
    try SQLiteSchema.migrator.migrate(writer)
  }

  /// Refuses a database with tables Laurel did not create, or written by a newer Laurel.
  static func check(_ db: Database, path: String) throws {
    let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
    if !tables.isEmpty && !tables.contains("laurel_meta") && !tables.contains("grdb_migrations") {
      throw OpenError(
        kind: .notLaurel, description: "\(path) is not a Laurel database (it has tables Laurel did not create)")
    }
    if try SQLiteSchema.migrator.hasBeenSuperseded(db) {
      throw OpenError(
        kind: .newerVersion, description: "\(path) was written by a newer version of Laurel; upgrade Laurel to open it")
    }
  }

  /// A read-only connection. A WAL file in a folder that cannot be written
  /// has no shared-memory file and cannot get one: SQLite then reads it only
  /// as an immutable file (`?immutable=1`), which is what such a folder is.
  static func openReadOnly(_ path: String, configuration: Configuration) throws -> DatabaseQueue {
    do {
      let queue = try DatabaseQueue(path: path, configuration: configuration)
      try queue.read { _ = try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
      return queue
    } catch let error as DatabaseError
      where error.resultCode == .SQLITE_CANTOPEN || error.resultCode == .SQLITE_READONLY
    {
      let folder = (path as NSString).deletingLastPathComponent
      guard !FileManager.default.isWritableFile(atPath: folder.isEmpty ? "." : folder) else { throw error }
      // An immutable read ignores the write-ahead log: refuse rather than show a state without its last commits.
      let log = (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int ?? 0
      guard log == 0 else {
        throw OpenError(
          kind: .unwritable,
          description:
            "\(path) has commits in its write-ahead log that only a writable folder lets SQLite read; open it once where its folder can be written"
        )
      }
      var allowed = CharacterSet.urlPathAllowed
      allowed.remove(charactersIn: "?#%")
      let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
      return try DatabaseQueue(path: "file:\(encoded)?immutable=1", configuration: configuration)
    }
  }

  /// Looks at an existing, non-empty file through a read-only connection, so
  /// one that is not a Laurel database (or is damaged, or newer) is refused
  /// untouched.
  static func inspect(_ path: String, busyTimeout: Double) throws {
    let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
    guard let size, size > 0 else { return }
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(busyTimeout)
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    try queue.read { try check($0, path: path) }
  }

  /// Runs `body` again, a few times, while another process is creating the
  /// same new store (its schema, its WAL switch): what fails then is a lock
  /// or a table the other process has just made, not the file. Gives up at
  /// `deadline` (the busy timeout, at least a second).
  static func retryingWhileOthersCreate<R>(until deadline: Date, _ body: () throws -> R) throws -> R {
    var attempt = 0
    while true {
      do { return try body() } catch let error as DatabaseError {
        let racing =
          error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
          || (error.resultCode == .SQLITE_ERROR && (error.message ?? "").contains("already exists"))
        attempt += 1
        guard racing, Date() < deadline else { throw error }
        usleep(UInt32(min(20_000 * attempt, 200_000)))
      }
    }
  }
}
