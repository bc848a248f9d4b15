public import TallyCore

/// One row-level change the engine asks the store to make durable.
public enum StoreChange: Sendable {
    /// Creates or replaces the account row with its current settings and debt.
    case putAccount(Account, debt: Credits)
    /// Creates or replaces a lot row with its current split.
    case putLot(account: String, Lot)
    /// Creates or replaces a hold row with its current state.
    case putHold(account: String, Hold)
    /// Appends a ledger entry, with the idempotency key of its request if it had one.
    case appendEntry(EntryRow)
    /// Records what has been refunded of a debit.
    case putDebitRefunds(DebitRecord)
    /// Records the first outcome of a keyed request that appended no entry (a denial, an
    /// account change).
    case putIdempotency(IdempotencyRecord)
    /// Appends an event to the outbox.
    case appendEvent(EventRow)
    /// Records which balance alerts of an account fired (after its row exists).
    case putAlertLatches(account: String, ThresholdLatches)
    /// The test clock's time, so a restarted `--test-clock` server resumes where it stood.
    case putTestClock(nowMs: Int64)
    /// Creates or replaces a webhook endpoint; disabling one parks its pending deliveries.
    case putEndpoint(EndpointRecord)
    /// Disables an endpoint (parking its pending deliveries) and says why.
    case disableEndpoint(Int64, reason: String, atMs: Int64)
    /// Records an endpoint's delivery health (the dispatcher's; endpoint changes leave it alone).
    case putEndpointHealth(endpoint: Int64, consecutiveFailures: Int, failingSinceMs: Int64?, lastSuccessAtMs: Int64?)
    /// Claims deliveries for an attempt until `untilMs`; a restart before it re-sends them after.
    case leaseDeliveries([Int64], untilMs: Int64)
    /// Logs an attempt and moves its delivery on.
    case recordAttempt(AttemptRecord, DeliveryProgress)
    /// Schedules an endpoint's parked deliveries, and its failed ones created since `failedSinceMs`,
    /// for an attempt at `atMs` (re-enabling, replaying).
    case resumeDeliveries(endpoint: Int64, failedSinceMs: Int64?, atMs: Int64)
    /// Deletes at most `limit` rows of each kind past its retention (see ``RetentionCutoffs``).
    case pruneExpiredRecords(RetentionCutoffs, limit: Int)
    /// Creates or replaces a customer API key.
    case putAPIKey(APIKeyRecord)
    /// Records when a key was last used (written at most about once a minute per key).
    case touchAPIKey(Int64, atMs: Int64)
    /// Schedules one delivery for another attempt at `atMs` (replaying it).
    case replayDelivery(Int64, atMs: Int64)
}

/// An event as stored in the outbox: its body is the exact bytes every receiver will get.
public struct EventRow: Sendable, Hashable {
    public let id: Int64
    public let account: String
    /// The account's own event sequence, gap-free from 1, so receivers can drop stale events.
    public let accountSeq: Int64
    public let type: String
    public let atMs: Int64
    /// `{"type", "timestamp", "data"}`, serialized once.
    public let body: [UInt8]
    /// Whether live or test endpoints receive it; the body says so too, and only the fan-out reads it.
    public let livemode: Bool

    /// Creates an event row.
    public init(id: Int64, account: String, accountSeq: Int64, type: String, atMs: Int64, body: [UInt8], livemode: Bool = true) {
        self.id = id
        self.livemode = livemode
        self.account = account
        self.accountSeq = accountSeq
        self.type = type
        self.atMs = atMs
        self.body = body
    }
}

/// The stored outcome of a request made with an idempotency key.
public struct IdempotencyRecord: Sendable, Hashable {
    public let account: String
    public let key: String
    /// A digest of the request's canonical form.
    public let fingerprint: [UInt8]
    /// The serialized outcome, replayed as is.
    public let response: [UInt8]
    public let createdAtMs: Int64

    /// Creates a record.
    public init(
        account: String, key: String, fingerprint: [UInt8], response: [UInt8], createdAtMs: Int64
    ) {
        self.account = account
        self.key = key
        self.fingerprint = fingerprint
        self.response = response
        self.createdAtMs = createdAtMs
    }
}

/// All the changes one request made to one account, committed together or not at all.
public struct StoreMutation: Sendable {
    public let account: String
    public let changes: [StoreChange]
    /// True for the first mutation after the account was reloaded following a failed commit;
    /// it lifts the writer's refusal of that account's mutations.
    public let resumesAccount: Bool
    let completion: @Sendable (Result<Void, StoreError>) -> Void

    /// Creates a mutation; `completion` runs on the writer thread once the outcome is durable.
    public init(
        account: String, changes: [StoreChange], resumesAccount: Bool = false,
        completion: @escaping @Sendable (Result<Void, StoreError>) -> Void
    ) {
        self.account = account
        self.changes = changes
        self.resumesAccount = resumesAccount
        self.completion = completion
    }
}
