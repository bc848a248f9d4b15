import TallyCore
import TallyCrypto
import TallyStore

/// What every account actor shares: the store, the clock, the id sequence and the settings.
struct EngineContext: Sendable {
    let store: Store
    let clock: any MillisecondClock
    let ids: IDAllocator
    let configuration: EngineConfiguration
    let apiKeys = APIKeyRing()
    let limiter = RateLimiter()
    let unownedIdempotencyKeys = UnownedIdempotencyKeys()
    let idempotencyKeyMemory = IdempotencyKeyMemory()
    let idempotencyKeyFilter: IdempotencyKeyFilter

    init(store: Store, clock: any MillisecondClock, ids: IDAllocator, configuration: EngineConfiguration) {
        self.store = store
        self.clock = clock
        self.ids = ids
        self.configuration = configuration
        idempotencyKeyFilter = IdempotencyKeyFilter(
            bytes: configuration.idempotencyFilterBytes, retentionMs: configuration.idempotencyRetentionMs,
            nowMs: clock.nowMs())
    }

    /// Makes changes no account owns durable (webhook rows, the test clock) and waits for it.
    func commit(_ changes: [StoreChange]) async -> Result<Void, StoreError> {
        let ticket = CommitTicket()
        submit(changes) { ticket.complete($0) }
        return await ticket.wait()
    }

    /// Queues changes no account owns; `completion` runs on the writer thread once durable.
    func submit(_ changes: [StoreChange], completion: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        // The empty id is never a valid account id, so the writer never refuses these.
        store.submit(StoreMutation(account: "", changes: changes, resumesAccount: true, completion: completion))
    }
}

/// An idempotency key with the canonical text of the request it came with.
struct IdempotentRequest: Sendable {
    let key: String
    let fingerprint: [UInt8]

    init(key: String, canonical: String) {
        self.key = key
        self.fingerprint = Crypto.sha256(canonical)
    }
}

/// What a rule run inside an actor produced, before it is made durable.
struct RuleStep<Value: Sendable> {
    let value: Value
    let entries: [LedgerEntry]
    let recorded: RecordedOutcome
    var extraChanges: [StoreChange] = []
    /// Plan periods the rule began (a plan started or switched now).
    var periodStarts: [AppliedPeriodStart] = []
    /// Whether the rule changed settings the operator sees (which `account.updated` tells).
    var settingsChanged = false
}

/// Why an actor call did not return a value.
enum ActorFailure: Error {
    case engine(EngineError)
    /// The actor was evicted; the caller looks the account up again.
    case retired
}
