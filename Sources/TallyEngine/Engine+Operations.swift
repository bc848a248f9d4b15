public import TallyStore

/// What operations (readiness, metrics, tokens, benchmarks) need from the store, through the
/// engine: the server and the `tally` tool reach the store through these and nothing else.
extension Engine {
    /// Whether the engine takes work now: the writer's queue has room and a reader answers.
    public func isReady() async -> Bool {
        guard context.store.writer.hasCapacity else { return false }
        do throws(StoreError) {
            return try await context.store.readers.read { _ throws(StoreError) in true }
        } catch {
            return false
        }
    }

    /// The group-commit writer's counters since the engine started.
    public var writerStatistics: WriterStatistics { context.store.writer.currentStatistics }

    /// Committed ledger entries the ledger index does not hold yet.
    public var unindexedEntries: Int { context.store.tail.count }

    /// The longest a mutation may wait for the writer, which admission's bound defaults to.
    public var maxQueueDelayMs: Int { context.store.configuration.maxQueueDelayMs }

    /// The service tokens stored in the database, revoked ones too.
    public func serviceTokens() async throws(EngineError) -> [ServiceTokenRecord] {
        try await read { connection throws(StoreError) in try connection.serviceTokens() }
    }
}
