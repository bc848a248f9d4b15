// The GCRA rate limiter against a manual clock: a full limiter admits exactly `limit` at once,
// then one per interval; Retry-After is exactly enough; idle time refills it; extreme limits and
// clocks neither overflow nor trap; and a seeded random arrival stream decides exactly as an
// independent leaky-bucket model would.
import Testing
import TallyCore
import TallyTesting

@Suite struct GCRATests {
    /// The limiter for `limit` per `windowSeconds`, which must be valid.
    func limiter(_ limit: Int, per windowSeconds: Int) throws -> GCRA {
        try #require(GCRA(RateLimit(limit: limit, windowSeconds: windowSeconds)))
    }

    @Test func aFullLimiterAdmitsTheBurstThenOnePerInterval() throws {
        let gcra = try limiter(10, per: 1)
        var state = RateLimitState()
        let t0: Int64 = 1_700_000_000_000
        for expected in stride(from: 9, through: 0, by: -1) {
            let decision = gcra.decide(&state, nowMs: t0)
            #expect(decision.allowed && decision.remaining == expected)
            #expect(decision.resetMs == Int64(10 - expected) * 100)
        }
        let denied = gcra.decide(&state, nowMs: t0)
        #expect(denied == RateDecision(allowed: false, limit: 10, remaining: 0, resetMs: 1_000, retryAfterMs: 100))
        #expect(!gcra.decide(&state, nowMs: t0 + 99).allowed)
        #expect(gcra.decide(&state, nowMs: t0 + 100).allowed)
        #expect(!gcra.decide(&state, nowMs: t0 + 100).allowed)
    }

    @Test func aDenialChangesNothing() throws {
        let gcra = try limiter(1, per: 1)
        var state = RateLimitState()
        _ = gcra.decide(&state, nowMs: 5_000)
        let before = state
        for offset in 0..<999 { #expect(!gcra.decide(&state, nowMs: 5_000 + Int64(offset)).allowed) }
        #expect(state == before)
        #expect(gcra.decide(&state, nowMs: 6_000).allowed)
    }

    @Test func aSteadyRateAtTheIntervalIsNeverRefused() throws {
        let gcra = try limiter(5, per: 1)
        var state = RateLimitState()
        for step in 0..<1_000 {
            let decision = gcra.decide(&state, nowMs: Int64(step) * 200)
            #expect(decision.allowed && decision.remaining == 4 && decision.resetMs == 200)
        }
    }

    @Test func aRateFasterThanTheLimitIsCutToTheLimit() throws {
        let gcra = try limiter(5, per: 1)
        var state = RateLimitState()
        var admitted = 0
        // One request every 100 ms for 10 s: twice the rate.
        for step in 0..<100 where gcra.decide(&state, nowMs: Int64(step) * 100).allowed { admitted += 1 }
        // The burst of 5, then 5 per second over the 9.9 s after the first request.
        #expect(admitted == 5 + 49)
    }

    @Test func retryAfterIsExactlyEnough() throws {
        let gcra = try limiter(3, per: 1)
        var state = RateLimitState()
        for _ in 0..<3 { #expect(gcra.decide(&state, nowMs: 0).allowed) }
        let denied = gcra.decide(&state, nowMs: 0)
        // 1 s / 3 is 333,333,334 ns rounded up to the nanosecond, then to the millisecond.
        #expect(gcra.intervalNs == 333_333_334 && gcra.capacityNs == 1_000_000_002)
        #expect(denied.retryAfterMs == 334 && denied.resetMs == 1_001)
        #expect(!gcra.decide(&state, nowMs: denied.retryAfterMs - 1).allowed)
        #expect(gcra.decide(&state, nowMs: denied.retryAfterMs).allowed)
    }

    @Test func longIdleRefillsButNeverBeyondTheBurst() throws {
        let gcra = try limiter(4, per: 60)
        var state = RateLimitState()
        for _ in 0..<4 { _ = gcra.decide(&state, nowMs: 1_000) }
        #expect(!state.isFull(atMs: 60_999) && state.isFull(atMs: 61_000))
        let later: Int64 = 1_000 + 400 * 86_400_000
        #expect(gcra.decide(&state, nowMs: later).remaining == 3)
        for _ in 0..<3 { #expect(gcra.decide(&state, nowMs: later).allowed) }
        #expect(!gcra.decide(&state, nowMs: later).allowed)
    }

    @Test func limitOneAndTheLongestWindow() throws {
        let gcra = try limiter(1, per: 86_400)
        var state = RateLimitState()
        let first = gcra.decide(&state, nowMs: 0)
        #expect(first.allowed && first.remaining == 0 && first.resetMs == 86_400_000)
        let second = gcra.decide(&state, nowMs: 1)
        #expect(!second.allowed && second.retryAfterMs == 86_399_999 && second.resetMs == 86_399_999)
        #expect(gcra.decide(&state, nowMs: 86_400_000).allowed)
    }

    @Test func theHighestLimitKeepsAWholeInterval() throws {
        let highest = Int(Limits.rateLimit.upperBound)
        let gcra = try limiter(highest, per: 1)
        #expect(gcra.intervalNs == 1_000 && gcra.capacityNs == 1_000_000_000)
        var state = RateLimitState()
        let decision = gcra.decide(&state, nowMs: GCRA.maxNowMs)
        #expect(decision.allowed && decision.remaining == highest - 1 && decision.resetMs == 1)
    }

    @Test func invalidLimitsHaveNoLimiter() {
        for (limit, window) in [(0, 1), (-1, 1), (1, 0), (1, 86_401), (Int(Limits.rateLimit.upperBound) + 1, 1), (Int.max, Int.max)] {
            #expect(GCRA(RateLimit(limit: limit, windowSeconds: window)) == nil)
        }
    }

    @Test func extremeClocksNeitherOverflowNorTrap() throws {
        let gcra = try limiter(2, per: 86_400)
        var state = RateLimitState()
        for nowMs in [Int64.min, -1, 0, GCRA.maxNowMs, Int64.max] { _ = gcra.decide(&state, nowMs: nowMs) }
        // Times past the horizon count as the horizon, so the burst is spent there.
        #expect(!gcra.decide(&state, nowMs: Int64.max).allowed)
        #expect(state.theoreticalArrivalNs == GCRA.maxNowMs * 1_000_000 + gcra.capacityNs)
    }

    @Test func aClockSteppingBackIsStricterNotLooser() throws {
        let gcra = try limiter(4, per: 1)
        var state = RateLimitState()
        _ = gcra.decide(&state, nowMs: 10_000)
        // Two admitted, but measured from 9,800 ms the backlog looks 200 ms longer.
        let back = gcra.decide(&state, nowMs: 9_800)
        #expect(back.allowed && back.remaining == 1)
    }

    @Test func aStateFromFarAheadCostsAtMostOneWindow() throws {
        let gcra = try limiter(2, per: 10)
        var state = RateLimitState(theoreticalArrivalNs: .max)
        let denied = gcra.decide(&state, nowMs: 1_000)
        #expect(!denied.allowed && denied.remaining == 0 && denied.resetMs == 10_000 && denied.retryAfterMs == 5_000)
        #expect(gcra.decide(&state, nowMs: 6_000).allowed)
    }

    @Test(arguments: [UInt64(7), 99, 2_026, 31_337])
    func randomArrivalsDecideAsALeakyBucket(seed: UInt64) throws {
        print("GCRATests seed \(seed)")
        var random = SplitMix64(seed: seed)
        let rateLimit = RateLimit(limit: 1 + random.below(20), windowSeconds: 1 + random.below(5))
        let gcra = try #require(GCRA(rateLimit))
        var state = RateLimitState()
        var model = LeakyBucket(intervalNs: gcra.intervalNs, capacityNs: gcra.capacityNs)
        var nowMs: Int64 = Int64(random.below(1_000_000))
        for _ in 0..<5_000 {
            nowMs += Int64(random.below(random.chance(5) ? 10_000 : 300))
            let decision = gcra.decide(&state, nowMs: nowMs)
            #expect(decision.allowed == model.admit(atNs: nowMs * 1_000_000), "seed \(seed)")
            #expect((0..<rateLimit.limit).contains(decision.remaining))
        }
    }
}

/// The continuous-state leaky bucket: a different formulation that admits exactly the same
/// requests as GCRA's virtual scheduling, written here independently to check it.
struct LeakyBucket {
    let intervalNs: Int64
    let capacityNs: Int64
    var levelNs: Int64 = 0
    var lastNs: Int64 = .min

    mutating func admit(atNs nowNs: Int64) -> Bool {
        let drained = lastNs == .min ? 0 : max(0, levelNs - (nowNs - lastNs))
        guard drained + intervalNs <= capacityNs else { return false }
        levelNs = drained + intervalNs
        lastNs = nowNs
        return true
    }
}
