/// An endpoint's recent record, kept to decide when to stop sending to it.
public struct EndpointHealth: Sendable, Hashable {
    /// Failed attempts since the last success.
    public private(set) var consecutiveFailures: Int
    /// When the current run of failures began; nil while the last attempt succeeded.
    public private(set) var failingSinceMs: Int64?
    public private(set) var lastSuccessAtMs: Int64?

    /// A record as stored.
    public init(consecutiveFailures: Int = 0, failingSinceMs: Int64? = nil, lastSuccessAtMs: Int64? = nil) {
        self.consecutiveFailures = consecutiveFailures
        self.failingSinceMs = failingSinceMs
        self.lastSuccessAtMs = lastSuccessAtMs
    }

    /// Counts one attempt that ended at `atMs`.
    public mutating func record(_ outcome: AttemptOutcome, atMs: Int64) {
        if outcome == .success {
            consecutiveFailures = 0
            failingSinceMs = nil
            lastSuccessAtMs = atMs
        } else {
            consecutiveFailures += 1
            if failingSinceMs == nil { failingSinceMs = atMs }
        }
    }
}

/// When an endpoint is disabled: it answered 410, or it has failed for long enough and often
/// enough that sending more only builds a backlog.
public struct DisablePolicy: Sendable, Hashable {
    /// How long without a success, at the least (5 days).
    public let failingForMs: Int64
    /// How many failures in a row, at the least (10), so an endpoint that rarely gets an event is
    /// not disabled after two.
    public let consecutiveFailures: Int

    /// A policy; the defaults are 5 days and 10 failures.
    public init(failingForMs: Int64 = 5 * 86_400_000, consecutiveFailures: Int = 10) {
        self.failingForMs = failingForMs
        self.consecutiveFailures = consecutiveFailures
    }

    /// Why the endpoint should be disabled after an attempt ended with `outcome` at `nowMs`
    /// (with `health` already counting it), or nil to keep it.
    public func reason(after outcome: AttemptOutcome, health: EndpointHealth, nowMs: Int64) -> DisableReason? {
        if outcome == .httpStatus(410) { return .gone }
        guard let since = health.failingSinceMs, health.consecutiveFailures >= consecutiveFailures,
            nowMs - since >= failingForMs
        else { return nil }
        return .failing
    }

    /// A sentence for the `endpoint.disabled` event and the API.
    public func explanation(_ reason: DisableReason) -> String {
        switch reason {
        case .gone: "The endpoint answered 410 Gone."
        case .failing: "No successful delivery for \(Self.duration(failingForMs)) and \(consecutiveFailures) or more failed attempts in a row."
        case .manual: "Disabled through the API."
        }
    }

    private static func duration(_ ms: Int64) -> String {
        if ms % 86_400_000 == 0 { return "\(ms / 86_400_000) days" }
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000) hours" }
        return "\(ms / 1_000) seconds"
    }
}

/// Why an endpoint is disabled, stored as its code.
public enum DisableReason: String, Sendable, Hashable, CaseIterable {
    /// It answered 410 Gone.
    case gone
    /// No success for the policy's time and at least its count of failures in a row.
    case failing
    /// Its owner disabled it.
    case manual
}
