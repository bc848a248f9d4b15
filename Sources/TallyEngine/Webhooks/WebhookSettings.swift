public import TallyCore
public import TallyWebhooks

/// How the engine delivers webhooks: the retry schedule, which addresses it may reach, and the
/// delivery client's limits.
public struct WebhookSettings: Sendable {
    public var schedule: RetrySchedule
    public var addressPolicy: AddressPolicy
    public var disablePolicy: DisablePolicy
    public var connectTimeoutMs: Int
    public var totalTimeoutMs: Int
    /// Attempts in flight at once, over all endpoints and per endpoint.
    public var maxInFlight: Int
    public var maxInFlightPerEndpoint: Int
    /// How often the dispatcher looks for due deliveries.
    public var pollIntervalMs: Int64
    /// How long a rotated-out secret keeps signing beside the new one.
    public var rotationGraceMs: Int64
    public var userAgent: String
    /// False runs no dispatcher (deliveries still accumulate durably).
    public var deliver: Bool
    /// Makes what sends the attempts, on the first delivery; nil makes the libcurl
    /// ``DeliveryClient``. Tests give a scripted transport.
    public var transport: (@Sendable (DeliveryConfiguration) -> any WebhookTransport)?

    /// Creates settings with DESIGN's defaults.
    public init(
        schedule: RetrySchedule = .standard, addressPolicy: AddressPolicy = AddressPolicy(),
        disablePolicy: DisablePolicy = DisablePolicy(), connectTimeoutMs: Int = 5_000, totalTimeoutMs: Int = 15_000,
        maxInFlight: Int = 64, maxInFlightPerEndpoint: Int = 8, pollIntervalMs: Int64 = 50,
        rotationGraceMs: Int64 = 86_400_000, userAgent: String = "Tally-Webhooks", deliver: Bool = true
    ) {
        self.schedule = schedule
        self.addressPolicy = addressPolicy
        self.disablePolicy = disablePolicy
        self.connectTimeoutMs = connectTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
        self.maxInFlight = maxInFlight
        self.maxInFlightPerEndpoint = maxInFlightPerEndpoint
        self.pollIntervalMs = pollIntervalMs
        self.rotationGraceMs = rotationGraceMs
        self.userAgent = userAgent
        self.deliver = deliver
    }

    /// How long a leased delivery is left alone: a whole attempt plus a margin, so a restart
    /// re-sends only attempts that cannot still be running.
    var leaseMs: Int64 { Int64(connectTimeoutMs + totalTimeoutMs) + 5_000 }
}
