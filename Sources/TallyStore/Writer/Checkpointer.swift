import CTallySQLite
import Foundation

/// Moves WAL frames into the database file from its own thread and connection.
///
/// Auto-checkpoint is off on the writer because SQLite would run it inline in whichever COMMIT
/// crossed the threshold, stalling that batch for milliseconds (sqlite.org/wal.html §6).
final class Checkpointer: @unchecked Sendable {
    // `stopping` and `finished` are guarded by `condition`; the connection is this thread's.
    private let condition = NSCondition()
    private var stopping = false
    private var finished = false
    private let connection: Connection
    private let intervalMs: Int

    init(connection: Connection, intervalMs: Int) {
        self.connection = connection
        self.intervalMs = intervalMs
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "tally-checkpointer"
        thread.start()
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while !stopping {
            condition.unlock()
            checkpoint(mode: SQLITE_CHECKPOINT_PASSIVE)
            condition.lock()
            if !stopping { _ = condition.wait(until: Date(timeIntervalSinceNow: Double(intervalMs) / 1_000)) }
        }
        condition.unlock()
        checkpoint(mode: SQLITE_CHECKPOINT_TRUNCATE)
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private func checkpoint(mode: Int32) {
        // A busy or failed checkpoint is retried on the next tick; commits do not depend on it.
        var logFrames: Int32 = 0
        var checkpointedFrames: Int32 = 0
        sqlite3_wal_checkpoint_v2(connection.handle, nil, mode, &logFrames, &checkpointedFrames)
    }
}
