public import TallyStore

/// What operations (readiness, metrics, tokens, benchmarks) need from the store, through the
/// engine: the server and the `tally` tool reach the store through these and nothing else.
extension Engine {
    /// Why the engine takes no work now, nil when it does: the writer's queue has room and a
    /// reader answers.
    public func unreadiness() async -> Unreadiness? {
        guard context.store.hasCapacity else { return .writeQueueFull }
        return await context.store.readersAnswer() ? nil : .storeSilent
    }

    /// Why the engine is not ready.
    public enum Unreadiness: Sendable {
        /// Mutations wait past the queueing bound, or the index or a close holds the writer.
        case writeQueueFull
        /// A read of the store failed.
        case storeSilent
    }

    /// The group-commit writer's counters since the engine started.
    public var writerStatistics: WriterStatistics { context.store.writerStatistics }

    /// Committed ledger entries the ledger index does not hold yet.
    public var unindexedEntries: Int { context.store.unindexedEntries }

    /// The longest a mutation may wait for the writer, which admission's bound defaults to.
    public var maxQueueDelayMs: Int { context.store.configuration.maxQueueDelayMs }

    /// The service tokens stored in the database, revoked ones too.
    public func serviceTokens() async throws(EngineError) -> [ServiceTokenRecord] {
        try await read { store throws(StoreError) in try await store.serviceTokens() }
    }
}
