/// A smooth rate limiter (the generic cell rate algorithm) for one `RateLimit`.
///
/// Requests are spaced one emission interval apart (`window / limit`) with a burst of `limit`:
/// a full limiter admits `limit` requests at once, then one per interval. The whole state is one
/// number, the theoretical arrival time (``RateLimitState``), so a table of limiters is a table
/// of `Int64`s. Times come in as milliseconds and are kept in nanoseconds so that an interval
/// such as 1 s / 1,000,000 stays a whole number; where `limit` does not divide the window in
/// nanoseconds the interval is rounded up, so the limiter never admits more than `limit` per
/// window (a full refill then takes at most `limit` ns longer than the window).
public struct GCRA: Sendable, Hashable {
    public let rateLimit: RateLimit
    /// The spacing between two admitted requests at the steady rate.
    public let intervalNs: Int64
    /// The time an empty limiter takes to become full again: `limit` intervals.
    public let capacityNs: Int64

    /// Milliseconds to nanoseconds.
    static let nsPerMs: Int64 = 1_000_000
    /// The latest `nowMs` understood (about the year 2255); later times count as this one so
    /// the conversion to nanoseconds cannot overflow.
    public static let maxNowMs: Int64 = 9_000_000_000_000

    /// Creates the limiter for `rateLimit`, or nil when the limit is not valid (see
    /// ``RateLimit/validate(path:)``), which also keeps every product below overflow.
    public init?(_ rateLimit: RateLimit) {
        guard rateLimit.validate().isEmpty else { return nil }
        let windowNs = Int64(rateLimit.windowSeconds) * 1_000 * Self.nsPerMs
        let limit = Int64(rateLimit.limit)
        self.rateLimit = rateLimit
        intervalNs = (windowNs + limit - 1) / limit
        capacityNs = intervalNs * limit
    }

    /// Decides one request at `nowMs`: admitted requests move `state` on, denied ones leave it.
    ///
    /// A clock that steps back makes the limiter stricter, never looser: the backlog is
    /// measured from the earlier time. It is capped at one full window, though, so a state from
    /// far ahead (a big step back, or a state kept across clocks) costs a caller at most one
    /// window instead of locking it out.
    public func decide(_ state: inout RateLimitState, nowMs: Int64) -> RateDecision {
        let nowNs = Self.nanoseconds(nowMs)
        state.theoreticalArrivalNs = min(state.theoreticalArrivalNs, nowNs + capacityNs)
        let start = max(state.theoreticalArrivalNs, nowNs)
        let next = start + intervalNs
        let allowed = next - nowNs <= capacityNs
        if allowed { state.theoreticalArrivalNs = next }
        let backlogNs = state.theoreticalArrivalNs > nowNs ? state.theoreticalArrivalNs - nowNs : 0
        return RateDecision(
            allowed: allowed,
            limit: rateLimit.limit,
            remaining: Int((capacityNs - backlogNs) / intervalNs),
            resetMs: Self.millisecondsRoundedUp(backlogNs),
            retryAfterMs: allowed ? 0 : Self.millisecondsRoundedUp(next - capacityNs - nowNs))
    }

    /// `nowMs` in nanoseconds, clamped to `0...maxNowMs` first.
    static func nanoseconds(_ nowMs: Int64) -> Int64 {
        min(max(nowMs, 0), maxNowMs) * nsPerMs
    }

    /// Whole milliseconds covering `durationNs`, so waiting them is always enough.
    static func millisecondsRoundedUp(_ durationNs: Int64) -> Int64 {
        (durationNs + nsPerMs - 1) / nsPerMs
    }
}

/// What a ``GCRA`` remembers about one caller: when its next request is due at the steady rate.
///
/// A new state (0) is a full limiter; so is any state whose time has passed, which lets a table
/// of limiters drop entries for which ``isFull(atMs:)`` holds without changing any decision.
public struct RateLimitState: Sendable, Hashable {
    /// The theoretical arrival time of the next request, in nanoseconds.
    public var theoreticalArrivalNs: Int64

    /// Creates a state; the default is a full limiter.
    public init(theoreticalArrivalNs: Int64 = 0) {
        self.theoreticalArrivalNs = theoreticalArrivalNs
    }

    /// Whether the limiter is full at `nowMs`, i.e. the state says nothing a new one would not.
    public func isFull(atMs nowMs: Int64) -> Bool {
        theoreticalArrivalNs <= GCRA.nanoseconds(nowMs)
    }
}

/// The answer of a rate limiter to one request.
public struct RateDecision: Sendable, Hashable {
    public let allowed: Bool
    /// The configured `limit` (the burst size).
    public let limit: Int
    /// Requests that could still be admitted at once, after this one.
    public let remaining: Int
    /// Time until the limiter is full again (0 when it is).
    public let resetMs: Int64
    /// Time until a denied request would be admitted; 0 when this one was.
    public let retryAfterMs: Int64

    /// Creates a decision.
    public init(allowed: Bool, limit: Int, remaining: Int, resetMs: Int64, retryAfterMs: Int64) {
        self.allowed = allowed
        self.limit = limit
        self.remaining = remaining
        self.resetMs = resetMs
        self.retryAfterMs = retryAfterMs
    }
}
