// The retry rules: the standard schedule counted from the first attempt, ±20 % jitter, the 60 s
// floor after throttling answers, Retry-After clamped to [scheduled, 2 × scheduled], 410 and
// SSRF refusals stopping at once, and the schedule read from TALLY_WEBHOOK_RETRY_SCHEDULE.
import Testing
import TallyCore
import TallyTesting

@Suite struct WebhookRetryTests {
    let noJitter = RetrySchedule(jitterPercent: 0)!
    let nowMs: Int64 = 1_700_000_000_000

    @Test func theStandardScheduleSpansAboutThreeDaysOverTenAttempts() {
        let schedule = RetrySchedule.standard
        #expect(schedule.attempts == 10)
        #expect(schedule.delaysMs.reduce(0, +) == 272_105_000, "75.6 hours")
        #expect(schedule.jitterPercent == 20 && schedule.throttleFloorMs == 60_000)
    }

    @Test func eachFailureWaitsTheNextStep() {
        var atMs = nowMs
        for attempt in 1..<noJitter.attempts {
            let decision = noJitter.next(afterAttempt: attempt, outcome: .httpStatus(500), retryAfter: nil, nowMs: atMs, random: 0)
            #expect(decision == .retry(atMs: atMs + noJitter.delaysMs[attempt]))
            if case .retry(let next) = decision { atMs = next }
        }
        #expect(noJitter.next(afterAttempt: 10, outcome: .httpStatus(500), retryAfter: nil, nowMs: atMs, random: 0) == .exhausted)
    }

    @Test func successGoneAndRefusedEndTheDelivery() {
        #expect(noJitter.next(afterAttempt: 1, outcome: .success, retryAfter: nil, nowMs: nowMs, random: 0) == .delivered)
        #expect(noJitter.next(afterAttempt: 1, outcome: .httpStatus(410), retryAfter: nil, nowMs: nowMs, random: 0) == .gone)
        #expect(noJitter.next(afterAttempt: 1, outcome: .blockedAddress, retryAfter: nil, nowMs: nowMs, random: 0) == .refused)
    }

    @Test func redirectsAndOtherFailuresFollowTheSchedule() {
        for outcome: AttemptOutcome in [.httpStatus(302), .httpStatus(500), .httpStatus(400), .connectFailed, .tlsError, .other] {
            #expect(!outcome.isThrottle)
            #expect(noJitter.next(afterAttempt: 1, outcome: outcome, retryAfter: "600", nowMs: nowMs, random: 0) == .retry(atMs: nowMs + 5_000))
        }
    }

    @Test func throttlingAnswersWaitAtLeastTheFloor() {
        for outcome: AttemptOutcome in [.httpStatus(429), .httpStatus(502), .httpStatus(503), .httpStatus(504), .timeout] {
            #expect(outcome.isThrottle)
            #expect(noJitter.next(afterAttempt: 1, outcome: outcome, retryAfter: nil, nowMs: nowMs, random: 0) == .retry(atMs: nowMs + 60_000))
            #expect(noJitter.next(afterAttempt: 2, outcome: outcome, retryAfter: nil, nowMs: nowMs, random: 0) == .retry(atMs: nowMs + 300_000))
        }
    }

    @Test func retryAfterIsClampedToTheScheduledWaitAndTwiceIt() {
        func wait(_ header: String, after attempt: Int = 2) -> Int64? {
            guard case .retry(let atMs) = noJitter.next(afterAttempt: attempt, outcome: .httpStatus(429), retryAfter: header, nowMs: nowMs, random: 0) else { return nil }
            return atMs - nowMs
        }
        #expect(wait("10") == 300_000, "shorter than scheduled: the schedule wins")
        #expect(wait("450") == 450_000)
        #expect(wait("86400") == 600_000, "at most twice the scheduled wait")
        #expect(wait("120", after: 1) == 120_000, "the floor is the scheduled wait after a 429")
        #expect(wait("not a delay") == 300_000)
        #expect(wait(RetryAfterTests.httpDate(nowMs + 400_000)) == 400_000)
    }

    @Test(arguments: [UInt64(1), 42, 20_261_125])
    func jitterStaysWithinTwentyPercent(seed: UInt64) {
        var random = planRandom(seed: seed)
        let schedule = RetrySchedule.standard
        var seen: Set<Int64> = []
        for _ in 0..<20_000 {
            let delayMs = Int64.random(in: 0...RetrySchedule.maxDelaySeconds * 1_000, using: &random)
            let jittered = schedule.jittered(delayMs, random: random.next())
            #expect(abs(jittered - delayMs) <= delayMs / 5, "seed \(seed): \(delayMs) → \(jittered)")
            seen.insert((jittered - delayMs) * 10 / max(1, delayMs / 5))
        }
        #expect(seen.count > 15, "seed \(seed): offsets spread over the whole band")
    }

    @Test(arguments: [UInt64(7), 99])
    func retryAfterAlwaysLandsInsideTheClamp(seed: UInt64) {
        var random = planRandom(seed: seed)
        let schedule = RetrySchedule(throttleFloorMs: 2_000)!
        for _ in 0..<5_000 {
            let attempt = Int.random(in: 1..<schedule.attempts, using: &random)
            let asked = Int64.random(in: 0...300_000, using: &random)
            let jitter = random.next()
            let scheduledMs = max(schedule.jittered(schedule.delaysMs[attempt], random: jitter), 2_000)
            let decision = schedule.next(afterAttempt: attempt, outcome: .httpStatus(503), retryAfter: "\(asked)", nowMs: nowMs, random: jitter)
            guard case .retry(let atMs) = decision else {
                Issue.record("seed \(seed): \(decision)")
                return
            }
            #expect((scheduledMs...2 * scheduledMs).contains(atMs - nowMs), "seed \(seed)")
            if (scheduledMs...2 * scheduledMs).contains(asked * 1_000) { #expect(atMs - nowMs == asked * 1_000, "seed \(seed)") }
        }
    }

    @Test func theScheduleIsReadFromCommaSeparatedSeconds() {
        let fast = RetrySchedule.standard.replacingDelays("0, 1,2,4")
        #expect(fast?.delaysMs == [0, 1_000, 2_000, 4_000])
        #expect(fast?.jitterPercent == 20)
        for bad in ["", "1,,2", "-1", "1.5", "a", "+3", "604801", String(repeating: "1,", count: 50) + "1"] {
            #expect(RetrySchedule.standard.replacingDelays(bad) == nil, "\(bad)")
        }
        #expect(RetrySchedule(throttleFloorMs: -1) == nil)
        #expect(RetrySchedule(jitterPercent: 101) == nil)
    }

    @Test func outcomesRoundTripThroughTheirStoredCodes() {
        let outcomes: [AttemptOutcome] = [.success, .httpStatus(503), .timeout, .connectFailed, .blockedAddress, .tlsError, .other]
        for outcome in outcomes {
            let status = if case .httpStatus(let code) = outcome { code } else { 0 }
            #expect(AttemptOutcome(code: outcome.code, status: status) == outcome)
        }
        #expect(Set(outcomes.map(\.code)).count == outcomes.count)
        #expect(AttemptOutcome(code: "nonsense", status: 0) == nil)
        #expect(AttemptOutcome(status: 204) == .success && AttemptOutcome(status: 302) == .httpStatus(302))
    }
}
