/// The instants before which kept records may go; nil keeps that kind for good.
public struct RetentionCutoffs: Sendable, Equatable {
    /// Delivered webhook deliveries (and their attempts) finished before this may go.
    public var deliveredBeforeMs: Int64?
    /// Failed deliveries (retries exhausted, not replayed) finished before this may go.
    public var failedBeforeMs: Int64?
    /// Events before this may go once no delivery of them is kept.
    public var eventsBeforeMs: Int64?

    /// Creates cutoffs; nil keeps that kind of record forever.
    public init(deliveredBeforeMs: Int64?, failedBeforeMs: Int64?, eventsBeforeMs: Int64?) {
        self.deliveredBeforeMs = deliveredBeforeMs
        self.failedBeforeMs = failedBeforeMs
        self.eventsBeforeMs = eventsBeforeMs
    }

    /// Whether every kind is kept forever, so there is nothing to look for.
    public var keepsEverything: Bool { deliveredBeforeMs == nil && failedBeforeMs == nil && eventsBeforeMs == nil }
}

extension Connection {
    /// Whether any record is past its cutoff: what tells the pruner to go on with another batch.
    func hasExpiredRecords(_ cutoffs: RetentionCutoffs) throws(StoreError) -> Bool {
        if let beforeMs = cutoffs.deliveredBeforeMs, try hasFinishedDelivery(status: "succeeded", beforeMs: beforeMs) { return true }
        if let beforeMs = cutoffs.failedBeforeMs, try hasFinishedDelivery(status: "failed", beforeMs: beforeMs) { return true }
        guard let beforeMs = cutoffs.eventsBeforeMs else { return false }
        return try cached(
            """
            SELECT EXISTS (SELECT 1 FROM events WHERE at_ms < ?
                AND NOT EXISTS (SELECT 1 FROM webhook_deliveries WHERE event_id = events.id))
            """
        ).rows([beforeMs]) { $0.int(0) }.first == 1
    }

    private func hasFinishedDelivery(status: String, beforeMs: Int64) throws(StoreError) -> Bool {
        try cached("SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE status = ? AND finished_at_ms < ?)")
            .rows([status, beforeMs]) { $0.int(0) }.first == 1
    }
}
