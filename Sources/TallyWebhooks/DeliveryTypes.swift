import TallyCore

/// One attempt to hand an event to an endpoint.
public struct DeliveryRequest: Sendable {
    /// The endpoint's id; the per-endpoint concurrency cap counts by it.
    public let endpointID: String
    public let url: String
    /// The event id, sent as `webhook-id` and identical on every retry.
    public let messageID: String
    /// The event body exactly as stored.
    public let body: [UInt8]
    /// The secrets to sign with, current first; more than one during a rotation.
    public let secrets: [WebhookSecret]

    /// A request.
    public init(endpointID: String, url: String, messageID: String, body: [UInt8], secrets: [WebhookSecret]) {
        self.endpointID = endpointID
        self.url = url
        self.messageID = messageID
        self.body = body
        self.secrets = secrets
    }
}

/// How one attempt went, as the attempts log records it.
public struct DeliveryResult: Sendable {
    public let outcome: AttemptOutcome
    /// The answer's status, or 0 when none arrived.
    public let httpStatus: Int
    /// The answer's `Retry-After` header as sent, for the retry rule.
    public let retryAfter: String?
    /// The first bytes of the answer's body (8 KiB by default).
    public let responseBody: [UInt8]
    /// From the start of the transfer to its end; time spent waiting for a concurrency slot is
    /// not counted.
    public let durationMs: Int64
    /// The `webhook-timestamp` this attempt was signed with (0 if it never started).
    public let timestampSeconds: Int64
    /// The address connected to, when a connection was made.
    public let remoteAddress: String?
    /// libcurl's explanation of a failure, for the log.
    public let errorDetail: String?

    /// A result as a transport reports it.
    public init(
        outcome: AttemptOutcome, httpStatus: Int, retryAfter: String? = nil, responseBody: [UInt8] = [],
        durationMs: Int64 = 0, timestampSeconds: Int64 = 0, remoteAddress: String? = nil, errorDetail: String? = nil
    ) {
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
        self.responseBody = responseBody
        self.durationMs = durationMs
        self.timestampSeconds = timestampSeconds
        self.remoteAddress = remoteAddress
        self.errorDetail = errorDetail
    }

    /// A result that never reached the network.
    static func notSent(_ detail: String) -> DeliveryResult {
        DeliveryResult(
            outcome: .other, httpStatus: 0, retryAfter: nil, responseBody: [], durationMs: 0, timestampSeconds: 0,
            remoteAddress: nil, errorDetail: detail)
    }
}

/// How the delivery client sends.
public struct DeliveryConfiguration: Sendable {
    /// Transfers in flight at once, over all endpoints.
    public var maxInFlight = 64
    /// Transfers in flight at once to one endpoint.
    public var maxInFlightPerEndpoint = 4
    public var connectTimeoutMs = 5_000
    /// The whole attempt, connect included.
    public var totalTimeoutMs = 15_000
    /// Which addresses may be connected to; `allowPrivate` also allows `http` URLs.
    public var addressPolicy = AddressPolicy()
    /// How much of an answer's body is kept for the log.
    public var responseBodyLimitBytes = 8_192
    /// Past this much body the transfer is cut, so a receiver cannot make us read forever; the
    /// status already received still decides the outcome.
    public var responseDiscardLimitBytes = 1_048_576
    /// Sent as `user-agent`; the server adds its version (`Tally-Webhooks/0.1.0`).
    public var userAgent = "Tally-Webhooks"
    /// The clock `webhook-timestamp` is read from, in Unix seconds.
    public var nowSeconds: @Sendable () -> Int64

    /// A configuration with the defaults of DESIGN §5 and the given clock.
    public init(nowSeconds: @escaping @Sendable () -> Int64) {
        self.nowSeconds = nowSeconds
    }
}
