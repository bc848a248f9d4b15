/// The rate-limit header fields of an answer, as whole seconds rounded up.
///
/// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` go on every answer a limit
/// applied to; `Retry-After` only on a denial. Rounding up means a client that waits the
/// advertised seconds is never refused for having come back early.
public struct RateLimitHeaders: Sendable, Hashable {
    public let limit: Int
    public let remaining: Int
    /// Seconds until the limiter is full again.
    public let resetSeconds: Int64
    /// Seconds to wait before retrying, at least 1; nil when the request was admitted.
    public let retryAfterSeconds: Int64?

    /// The headers that describe `decision`.
    public init(_ decision: RateDecision) {
        limit = decision.limit
        remaining = decision.remaining
        resetSeconds = Self.secondsRoundedUp(decision.resetMs)
        retryAfterSeconds = decision.allowed ? nil : max(1, Self.secondsRoundedUp(decision.retryAfterMs))
    }

    /// Name and value of each field, in a stable order.
    public var fields: [(name: String, value: String)] {
        var fields = [
            (name: "RateLimit-Limit", value: String(limit)),
            (name: "RateLimit-Remaining", value: String(remaining)),
            (name: "RateLimit-Reset", value: String(resetSeconds)),
        ]
        if let retryAfterSeconds { fields.append((name: "Retry-After", value: String(retryAfterSeconds))) }
        return fields
    }

    static func secondsRoundedUp(_ durationMs: Int64) -> Int64 {
        (max(0, durationMs) + 999) / 1_000
    }
}
