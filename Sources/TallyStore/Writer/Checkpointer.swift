import CTallySQLite
import Foundation
import TallySystem

/// Moves WAL frames into the database file from its own thread and connection.
///
/// Auto-checkpoint is off on the writer because SQLite would run it inline in whichever COMMIT
/// crossed the threshold, stalling that batch for milliseconds (sqlite.org/wal.html §6).
final class Checkpointer: @unchecked Sendable {
    // The connection is this thread's.
    private let worker = WorkerThread()
    private let connection: Connection
    private let intervalMs: Int

    /// A descriptor of the database file, used only to flush what checkpoints copied into it.
    private let databaseFile: Int32

    init(connection: Connection, intervalMs: Int, path: String) {
        self.connection = connection
        self.intervalMs = intervalMs
        databaseFile = open(path, O_RDONLY | O_CLOEXEC)
    }

    deinit { if databaseFile >= 0 { close(databaseFile) } }

    func start() {
        worker.start(name: "tally-checkpointer") { [self] in run() }
    }

    /// Checkpoints once more, truncating the WAL, then stops the thread.
    func stop() { worker.stop() }

    private func run() {
        let condition = worker.condition
        condition.lock()
        while !worker.isStopping {
            condition.unlock()
            let logFrames = checkpoint(mode: SQLITE_CHECKPOINT_PASSIVE)
            // A passive checkpoint that never catches the writer never syncs the file either, so
            // a restart would inherit one huge fsync; flushing as we go keeps that sync small.
            // Durability does not depend on this: commits are in the WAL.
            if databaseFile >= 0 { fdatasync(databaseFile) }
            // Right after a passive pass only the last few commits are left to copy, so holding
            // the writer back for the restart costs a millisecond or two, not the whole backlog.
            if logFrames > Self.restartAfterFrames { _ = checkpoint(mode: SQLITE_CHECKPOINT_RESTART) }
            condition.lock()
            if !worker.isStopping { _ = condition.wait(until: Date(timeIntervalSinceNow: Double(intervalMs) / 1_000)) }
        }
        condition.unlock()
        _ = checkpoint(mode: SQLITE_CHECKPOINT_TRUNCATE)
    }

    /// Under continuous writes a passive checkpoint never catches the writer, and SQLite only
    /// starts the WAL over once every frame is checkpointed; past this many frames (256 MiB of
    /// 4 KiB pages) one checkpoint briefly holds the writer back so the WAL can start over.
    /// Left alone the WAL grew past 1 GiB in a minute of load and every page lookup slowed.
    static let restartAfterFrames: Int32 = 65_536

    /// Runs one checkpoint and returns the WAL's size in frames as it found it.
    private func checkpoint(mode: Int32) -> Int32 {
        // A busy or failed checkpoint is retried on the next tick; commits do not depend on it.
        var logFrames: Int32 = 0
        var checkpointedFrames: Int32 = 0
        sqlite3_wal_checkpoint_v2(connection.handle, nil, mode, &logFrames, &checkpointedFrames)
        return logFrames
    }
}
