// The rate-limit headers round every duration up to whole seconds, put Retry-After (at least 1)
// only on denials, and the limit that applies is the key's, else the account's, else the plan's.
import Testing
import TallyCore

@Suite struct RateLimitHeadersTests {
    @Test func anAdmittedRequestCarriesTheThreeFields() {
        let headers = RateLimitHeaders(RateDecision(allowed: true, limit: 100, remaining: 99, resetMs: 10, retryAfterMs: 0))
        #expect(headers.fields.map(\.name) == ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"])
        #expect(headers.fields.map(\.value) == ["100", "99", "1"])
        #expect(headers.retryAfterSeconds == nil)
    }

    @Test func aDenialAddsRetryAfterRoundedUp() {
        let headers = RateLimitHeaders(RateDecision(allowed: false, limit: 5, remaining: 0, resetMs: 60_001, retryAfterMs: 12_001))
        #expect(headers.fields.map(\.value) == ["5", "0", "61", "13"])
        #expect(headers.fields.last?.name == "Retry-After")
    }

    @Test(arguments: [(Int64(0), Int64(0)), (1, 1), (999, 1), (1_000, 1), (1_001, 2), (86_400_000, 86_400), (-5, 0)])
    func resetRoundsUpToWholeSeconds(resetMs: Int64, seconds: Int64) {
        let decision = RateDecision(allowed: true, limit: 1, remaining: 0, resetMs: resetMs, retryAfterMs: 0)
        #expect(RateLimitHeaders(decision).resetSeconds == seconds)
    }

    @Test func retryAfterIsNeverZero() {
        let decision = RateDecision(allowed: false, limit: 1, remaining: 0, resetMs: 0, retryAfterMs: 0)
        #expect(RateLimitHeaders(decision).retryAfterSeconds == 1)
    }

    @Test func headersFromALiveLimiterAreEnoughToComeBack() throws {
        let gcra = try #require(GCRA(RateLimit(limit: 2, windowSeconds: 3)))
        var state = RateLimitState()
        _ = gcra.decide(&state, nowMs: 0)
        _ = gcra.decide(&state, nowMs: 0)
        let headers = RateLimitHeaders(gcra.decide(&state, nowMs: 200))
        #expect(headers.retryAfterSeconds == 2 && headers.resetSeconds == 3)
        #expect(gcra.decide(&state, nowMs: 200 + 2_000).allowed)
    }

    @Test func theMostSpecificLimitApplies() {
        let key = RateLimit(limit: 1, windowSeconds: 1)
        let account = RateLimit(limit: 2, windowSeconds: 1)
        let plan = RateLimit(limit: 3, windowSeconds: 1)
        #expect(AppliedRateLimit.resolve(key: key, account: account, plan: plan) == AppliedRateLimit(rateLimit: key, scope: .key))
        #expect(AppliedRateLimit.resolve(key: nil, account: account, plan: plan)?.scope == .account)
        #expect(AppliedRateLimit.resolve(key: nil, account: nil, plan: plan)?.rateLimit == plan)
        #expect(AppliedRateLimit.resolve(key: nil, account: nil, plan: nil) == nil)
        #expect(AppliedRateLimit.resolve(key: key, account: nil, plan: plan)?.scope == .key)
    }
}
