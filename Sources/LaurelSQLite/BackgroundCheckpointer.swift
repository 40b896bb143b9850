import Dispatch
import GRDB
import GRDBSQLite
import Synchronization

/// Copies the write-ahead log back into the database file on a connection and
/// thread of its own, so no commit waits for it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses the
/// threshold: that commit copies the whole log (tens of MiB) and syncs the
/// file, which made about 1% of durable commits slow and cost batched imports
/// a tenth of their time. Here SQLite's WAL hook reports the log's size after
/// each commit, and past the threshold a `PASSIVE` checkpoint is queued on
/// this connection; a passive checkpoint never blocks the writer. The writer
/// then finishes the few frames committed meanwhile (see
/// ``committed(logPages:writer:)``) so the log starts over.
final class BackgroundCheckpointer: Sendable {
  private let connection: DatabaseQueue
  private let queue = DispatchQueue(label: "laurel.sqlite.checkpoint", qos: .utility)
  private let threshold: Int32
  private let queued = Atomic<Bool>(false)
  /// Log pages the background checkpoint copied, until the writer has finished the job (then 0).
  private let copiedPages = Atomic<Int32>(0)

  /// Opens a connection of its own to the database at `path`.
  init(path: String, configuration: Configuration, thresholdPages: Int) throws {
    connection = try DatabaseQueue(path: path, configuration: configuration)
    threshold = Int32(clamping: max(1, thresholdPages))
  }

  /// Makes the writer connection report its log size here after each commit,
  /// and turns its own (blocking) automatic checkpoint off.
  func attach(to db: Database) throws {
    try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
    sqlite3_wal_hook(db.sqliteConnection, Self.walHook, Unmanaged.passUnretained(self).toOpaque())
  }

  /// Stops listening to the writer (before the store closes).
  func detach(from db: Database) {
    sqlite3_wal_hook(db.sqliteConnection, nil, nil)
  }

  /// Called by SQLite on the writer's thread after a commit, with the log's size in pages.
  private static let walHook:
    @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = {
      context, writer, _, pages in
      guard let context else { return SQLITE_OK }
      Unmanaged<BackgroundCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(
        logPages: pages, writer: writer)
      return SQLITE_OK
    }

  /// After a commit: queues a background checkpoint once the log outgrows
  /// the threshold, and lets the writer finish the job once it has run.
  ///
  /// A background checkpoint copies the log but cannot make it start over:
  /// SQLite restarts the log only when the writer itself saw it fully
  /// copied, and with commits arriving during the copy that never happens
  /// by itself (the log grows without bound). So after the background copy,
  /// the writer runs a passive checkpoint of its own (as SQLite's automatic
  /// checkpoint would, from this same hook): it copies only the few frames
  /// committed meanwhile, and its next transaction starts the log over.
  private func committed(logPages pages: Int32, writer: OpaquePointer?) {
    if copiedPages.load(ordering: .acquiring) != 0 {
      copiedPages.store(0, ordering: .relaxed)
      sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
      return
    }
    guard pages >= threshold,
      queued.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    else { return }
    queue.async { [self] in
      // A failure (the file is busy or gone) only delays the copy to the next commit.
      let result = try? connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
      if let result, result.checkpointedFrameCount > 0 {
        copiedPages.store(Int32(clamping: result.checkpointedFrameCount), ordering: .releasing)
      }
      queued.store(false, ordering: .releasing)
    }
  }

  /// Waits until the queued checkpoint, if any, has run.
  func drain() { queue.sync {} }
}
