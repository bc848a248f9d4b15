/// A webhook endpoint as stored, with its secrets and delivery health.
///
/// The secrets are stored as given (`whsec_…`): signing needs them, so unlike service tokens
/// they cannot be kept as hashes; the database file is as sensitive as the secrets.
public struct EndpointRecord: Sendable, Hashable {
    public let id: Int64
    public var url: String
    public var description: String?
    /// The event types it receives; empty for all.
    public var eventTypes: [String]
    /// The only account whose events it receives; nil for all.
    public var account: String?
    /// Whether it receives live events (true) or test accounts' events; fixed at creation.
    public let livemode: Bool
    public var secret: String
    /// The secret replaced by the last rotation, still signing until `previousSecretUntilMs`.
    public var previousSecret: String?
    public var previousSecretUntilMs: Int64?
    public var enabled: Bool
    public var disabledReason: String?
    public var disabledAtMs: Int64?
    public var consecutiveFailures: Int
    public var failingSinceMs: Int64?
    public var lastSuccessAtMs: Int64?
    public let createdAtMs: Int64
    public var updatedAtMs: Int64
    public var deletedAtMs: Int64?

    /// Creates a new, enabled endpoint.
    public init(
        id: Int64, url: String, description: String?, eventTypes: [String], account: String?, livemode: Bool = true,
        secret: String, createdAtMs: Int64
    ) {
        self.id = id
        self.url = url
        self.description = description
        self.eventTypes = eventTypes
        self.account = account
        self.livemode = livemode
        self.secret = secret
        self.enabled = true
        self.consecutiveFailures = 0
        self.createdAtMs = createdAtMs
        self.updatedAtMs = createdAtMs
    }

    /// The secrets that sign a delivery at `nowMs`: the current one, and the previous one during
    /// its grace period.
    public func signingSecrets(atMs nowMs: Int64) -> [String] {
        guard let previousSecret, let until = previousSecretUntilMs, nowMs < until else { return [secret] }
        return [secret, previousSecret]
    }
}

/// One event's delivery to one endpoint, with where its retries stand.
public struct DeliveryRecord: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// Waiting for an attempt; parked (no next attempt) while its endpoint is disabled.
        case pending
        case succeeded
        /// The retry schedule ended without a success; a replay makes it pending again.
        case failed
    }

    public let id: Int64
    public let endpoint: Int64
    public let event: Int64
    public var status: Status
    public var attempts: Int
    public var firstAttemptAtMs: Int64?
    public var nextAttemptAtMs: Int64?
    public var lastOutcome: String?
    public var lastStatus: Int?
    public let createdAtMs: Int64
    public var finishedAtMs: Int64?
}

/// One attempt to deliver, as the deliveries log shows it.
public struct AttemptRecord: Sendable, Hashable {
    public let delivery: Int64
    public let attempt: Int
    public let atMs: Int64
    public let durationMs: Int64
    /// A stable outcome code (`success`, `http_500`, `timeout`, `blocked_address`, …).
    public let outcome: String
    public let httpStatus: Int?
    /// The first bytes of the receiver's answer.
    public let responseExcerpt: [UInt8]
    public let error: String?

    /// Creates an attempt record.
    public init(
        delivery: Int64, attempt: Int, atMs: Int64, durationMs: Int64, outcome: String, httpStatus: Int?,
        responseExcerpt: [UInt8], error: String?
    ) {
        self.delivery = delivery
        self.attempt = attempt
        self.atMs = atMs
        self.durationMs = durationMs
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.responseExcerpt = responseExcerpt
        self.error = error
    }
}

/// Where a delivery stands after an attempt.
public struct DeliveryProgress: Sendable, Hashable {
    public let delivery: Int64
    public let status: DeliveryRecord.Status
    public let attempts: Int
    public let firstAttemptAtMs: Int64
    /// The next attempt; nil once the delivery succeeded or failed for good.
    public let nextAttemptAtMs: Int64?
    public let lastOutcome: String
    public let lastStatus: Int?
    public let finishedAtMs: Int64?

    /// Creates a progress record.
    public init(
        delivery: Int64, status: DeliveryRecord.Status, attempts: Int, firstAttemptAtMs: Int64,
        nextAttemptAtMs: Int64?, lastOutcome: String, lastStatus: Int?, finishedAtMs: Int64?
    ) {
        self.delivery = delivery
        self.status = status
        self.attempts = attempts
        self.firstAttemptAtMs = firstAttemptAtMs
        self.nextAttemptAtMs = nextAttemptAtMs
        self.lastOutcome = lastOutcome
        self.lastStatus = lastStatus
        self.finishedAtMs = finishedAtMs
    }
}

/// A delivery due for an attempt, with what it takes to send it.
public struct DueDelivery: Sendable {
    public let delivery: DeliveryRecord
    public let eventType: String
    public let body: [UInt8]
}
