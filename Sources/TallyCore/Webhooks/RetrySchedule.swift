/// When a delivery is tried again: the Standard Webhooks schedule with jitter, the throttle
/// floor and `Retry-After`.
///
/// `delaysMs[n]` is the wait before attempt `n + 1`, counted from the end of attempt `n` (the
/// first element, normally 0, is the wait from the event to the first attempt), so the default
/// schedule spans about 75.6 hours over 10 attempts.
public struct RetrySchedule: Sendable, Hashable {
    /// 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
    public static let standardSeconds: [Int64] = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400]
    /// The longest single wait a configuration may ask for.
    public static let maxDelaySeconds: Int64 = 7 * 86_400
    /// The most attempts a configuration may ask for.
    public static let maxAttempts = 50

    public let delaysMs: [Int64]
    /// Each wait varies by up to this share of itself, either way, so retries of many
    /// deliveries failing together spread out.
    public let jitterPercent: Int64
    /// The shortest wait after a throttle outcome (429, 502, 503, 504, timeout).
    public let throttleFloorMs: Int64

    /// A schedule; nil when the list is empty, too long, or holds a wait outside
    /// 0…``maxDelaySeconds``, or when jitter is outside 0–100 % or the floor is negative.
    public init?(delaysSeconds: [Int64] = standardSeconds, jitterPercent: Int64 = 20, throttleFloorMs: Int64 = 60_000) {
        guard (1...Self.maxAttempts).contains(delaysSeconds.count),
            delaysSeconds.allSatisfy({ (0...Self.maxDelaySeconds).contains($0) }),
            (0...100).contains(jitterPercent), (0...Self.maxDelaySeconds * 1_000).contains(throttleFloorMs)
        else { return nil }
        self.delaysMs = delaysSeconds.map { $0 * 1_000 }
        self.jitterPercent = jitterPercent
        self.throttleFloorMs = throttleFloorMs
    }

    /// The standard schedule, ±20 % jitter and a 60 s throttle floor.
    public static let standard = RetrySchedule()!

    /// Parses the comma-separated seconds of `TALLY_WEBHOOK_RETRY_SCHEDULE` (`0,5,300`), keeping
    /// this schedule's jitter and floor; nil when it is not such a list.
    public func replacingDelays(_ text: String) -> RetrySchedule? {
        let fields = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        var seconds: [Int64] = []
        for field in fields {
            guard !field.isEmpty, field.utf8.allSatisfy({ (0x30...0x39).contains($0) }), field.utf8.count <= 9,
                let value = Int64(field)
            else { return nil }
            seconds.append(value)
        }
        return RetrySchedule(delaysSeconds: seconds, jitterPercent: jitterPercent, throttleFloorMs: throttleFloorMs)
    }

    /// How many attempts a delivery gets in all.
    public var attempts: Int { delaysMs.count }

    /// `delayMs` moved by up to ±``jitterPercent`` %, chosen by `random` (any uniform value).
    public func jittered(_ delayMs: Int64, random: UInt64) -> Int64 {
        let spanMs = delayMs * jitterPercent / 100
        guard spanMs > 0 else { return delayMs }
        let offsetMs = Int64(random % UInt64(2 * spanMs + 1)) - spanMs
        return delayMs + offsetMs
    }

    /// What follows attempt number `attempt` (1 for the first) that ended at `nowMs` with
    /// `outcome`. `retryAfter` is the raw header of the answer, if any; `random` feeds the jitter.
    public func next(
        afterAttempt attempt: Int, outcome: AttemptOutcome, retryAfter: String?, nowMs: Int64, random: UInt64
    ) -> RetryDecision {
        switch outcome {
        case .success: return .delivered
        case .httpStatus(410): return .gone
        case .blockedAddress: return .refused
        default: break
        }
        guard attempt >= 1, attempt < attempts else { return .exhausted }
        var waitMs = jittered(delaysMs[attempt], random: random)
        if outcome.isThrottle {
            waitMs = max(waitMs, throttleFloorMs)
            if let askedMs = retryAfter.flatMap({ RetryAfter.delayMs($0, nowMs: nowMs) }) {
                waitMs = min(max(askedMs, waitMs), 2 * waitMs)
            }
        }
        return .retry(atMs: nowMs + waitMs)
    }
}

/// What to do with a delivery after an attempt.
public enum RetryDecision: Sendable, Hashable {
    /// A 2xx arrived: done.
    case delivered
    /// Try again at this time.
    case retry(atMs: Int64)
    /// The last attempt of the schedule failed: the delivery has failed (a replay can resend it).
    case exhausted
    /// 410 Gone: stop, and disable the endpoint.
    case gone
    /// The SSRF policy refused every address: retrying cannot help until the URL or the policy
    /// changes, so stop (a replay can resend it).
    case refused
}
