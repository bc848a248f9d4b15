/// Writes batches from the caller's thread with the same pragmas, statements, folding and
/// checkpointer as the group-commit writer, but with no queue, no thread hand-off and no engine:
/// the reference `tally bench --raw` measures the engine against.
public final class DirectWriter {
    private let connection: Connection
    private let checkpointer: Checkpointer

    /// Opens and migrates the database like ``Store`` does and starts the checkpointer.
    public init(configuration: StoreConfiguration, nowMs: Int64) throws(StoreError) {
        connection = try Store.open(configuration, cacheKiB: configuration.writerCacheKiB)
        try Migrations.migrate(connection, nowMs: nowMs)
        try connection.pragma("wal_autocheckpoint = 0")
        checkpointer = Checkpointer(
            connection: try Store.open(configuration, cacheKiB: 2_048),
            intervalMs: configuration.checkpointIntervalMs, path: configuration.path)
        checkpointer.start()
    }

    /// Commits every mutation's changes in one transaction.
    public func commit(_ mutations: [[StoreChange]]) throws(StoreError) {
        try RowWriter(connection: connection).transaction(mutations)
    }

    /// Stops the checkpointer after a final checkpoint.
    public func close() { checkpointer.stop() }
}
