import TallyStore

/// How long the records kept only for a while stay: events, and webhook deliveries with their
/// attempts. The ledger is the record and is never pruned.
public struct RetentionSettings: Sendable {
    /// Events older than this go once no delivery of them is kept; 0 keeps them forever.
    public var eventsMs: Int64
    /// Delivered deliveries (and their attempts) go this long after they finished; 0 keeps them.
    public var deliveredMs: Int64
    /// Failed deliveries (retries exhausted and not replayed) go this long after they failed,
    /// which is how long they can be replayed; 0 keeps them.
    public var failedMs: Int64
    /// How often a pruning pass runs.
    public var passIntervalMs: Int64
    /// The most rows of each kind one commit deletes, so a pass never holds the writer long.
    public var batchLimit: Int
    /// The most commits one pass makes; a larger backlog is worked off over several passes.
    public var batchesPerPass: Int

    /// Creates settings with DESIGN's defaults: 30 days of everything, a pass a minute.
    public init(
        eventsMs: Int64 = 30 * 86_400_000, deliveredMs: Int64 = 30 * 86_400_000, failedMs: Int64 = 30 * 86_400_000,
        passIntervalMs: Int64 = 60_000, batchLimit: Int = 500, batchesPerPass: Int = 200
    ) {
        self.eventsMs = eventsMs
        self.deliveredMs = deliveredMs
        self.failedMs = failedMs
        self.passIntervalMs = passIntervalMs
        self.batchLimit = batchLimit
        self.batchesPerPass = batchesPerPass
    }

    /// The cutoffs at these instants: events by the engine's clock (their `at_ms` is on it),
    /// deliveries by the wall clock (their attempts are stamped with it).
    func cutoffs(nowMs: Int64, wallNowMs: Int64) -> RetentionCutoffs {
        RetentionCutoffs(
            deliveredBeforeMs: deliveredMs > 0 ? wallNowMs - deliveredMs : nil,
            failedBeforeMs: failedMs > 0 ? wallNowMs - failedMs : nil,
            eventsBeforeMs: eventsMs > 0 ? nowMs - eventsMs : nil)
    }
}
