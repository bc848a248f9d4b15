// Endpoint disabling: 410 at once; otherwise only after 5 days without a success and at least 10
// failures in a row, and a success resets the count.
import Testing
import TallyCore

@Suite struct EndpointHealthTests {
    let dayMs: Int64 = 86_400_000
    let policy = DisablePolicy()

    @Test func goneDisablesAtOnce() {
        var health = EndpointHealth()
        health.record(.httpStatus(410), atMs: 0)
        #expect(policy.reason(after: .httpStatus(410), health: health, nowMs: 0) == .gone)
    }

    @Test func bothTheTimeAndTheCountAreNeeded() {
        var health = EndpointHealth()
        for attempt in 0..<9 { health.record(.timeout, atMs: Int64(attempt) * dayMs) }
        #expect(health.consecutiveFailures == 9 && health.failingSinceMs == 0)
        #expect(policy.reason(after: .timeout, health: health, nowMs: 8 * dayMs) == nil, "nine failures over eight days")
        var many = EndpointHealth()
        for attempt in 0..<50 { many.record(.httpStatus(500), atMs: Int64(attempt) * 60_000) }
        #expect(policy.reason(after: .httpStatus(500), health: many, nowMs: 49 * 60_000) == nil, "fifty failures in an hour")
        health.record(.connectFailed, atMs: 5 * dayMs)
        #expect(policy.reason(after: .connectFailed, health: health, nowMs: 5 * dayMs - 1) == nil)
        #expect(policy.reason(after: .connectFailed, health: health, nowMs: 5 * dayMs) == .failing)
    }

    @Test func aSuccessStartsTheCountAgain() {
        var health = EndpointHealth()
        for attempt in 0..<20 { health.record(.other, atMs: Int64(attempt) * dayMs / 2) }
        health.record(.success, atMs: 10 * dayMs)
        #expect(health == EndpointHealth(consecutiveFailures: 0, failingSinceMs: nil, lastSuccessAtMs: 10 * dayMs))
        health.record(.blockedAddress, atMs: 11 * dayMs)
        #expect(health.failingSinceMs == 11 * dayMs && health.consecutiveFailures == 1)
    }

    @Test func theReasonIsExplainedWithThePolicyNumbers() {
        #expect(policy.explanation(.failing) == "No successful delivery for 5 days and 10 or more failed attempts in a row.")
        #expect(DisablePolicy(failingForMs: 30_000, consecutiveFailures: 3).explanation(.failing).contains("30 seconds and 3"))
        #expect(DisableReason(rawValue: "gone") == .gone)
    }
}
