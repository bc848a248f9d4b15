// Proves admission control: past its limit a request is refused at once with 503 `overloaded` and
// Retry-After (readiness still answers); answers slower on average than a third of the bound
// (so that the slowest stay within it) bring the limit down to what the server answers that
// fast, never below the floor, and a lone slow one does not;
// fast ones raise it back; and the API lets work in again as soon as places free up.
import Dispatch
import Testing
import TallyCore
import TallyServer

@Suite struct AdmissionTests {
    static let ms: UInt64 = 1_000_000

    @Test func admitsUpToTheLimitAndAgainOnceAPlaceIsFree() {
        let admission = Admission(boundMs: 50, initialLimit: Admission.minimumLimit)
        for _ in 0..<Admission.minimumLimit { #expect(admission.enter()) }
        #expect(!admission.enter(), "one past the limit waits for a place")
        admission.leave(latencyNs: 5 * Self.ms, nowNs: 1_000 * Self.ms)
        #expect(admission.enter())
        #expect(admission.inFlight == Admission.minimumLimit)
    }

    /// One request admitted and answered after `latencyMs`, at `atNs`.
    func answer(_ admission: Admission, latencyMs: UInt64, atNs: UInt64) {
        #expect(admission.enter())
        admission.leave(latencyNs: latencyMs * Self.ms, nowNs: atNs)
    }

    @Test func slowAnswersBringTheLimitDownToWhatTheServerAnswersWithinTheBound() {
        // A 150 ms bound: answers averaging 50 ms keep the slowest within it.
        let admission = Admission(boundMs: 150, initialLimit: 1_000)
        // The server answers within 5 ms when idle...
        var nowNs: UInt64 = 1_000 * Self.ms
        for _ in 0..<200 {
            nowNs += Self.ms / 2
            answer(admission, latencyMs: 5, atNs: nowNs)
        }
        // ...then 2,000 answers a second, each 100 ms late: 2,000/s × 50 ms = 100 fit the target.
        for _ in 0..<400 {
            nowNs += Self.ms / 2
            answer(admission, latencyMs: 100, atNs: nowNs)
        }
        #expect(admission.limit == 100)
        // Fewer answers a second never take it under the floor.
        for _ in 0..<100 {
            nowNs += 20 * Self.ms
            answer(admission, latencyMs: 100, atNs: nowNs)
        }
        #expect(admission.limit == Admission.minimumLimit)
    }

    @Test func aDiskSlowerThanTheBoundIsNotOverload() {
        let admission = Admission(boundMs: 50, initialLimit: 1_000)
        // Every answer takes 80–90 ms, at a steady 1,000 a second: slow, but not queueing.
        var nowNs: UInt64 = 1_000 * Self.ms
        for index in 0..<1_000 {
            nowNs += Self.ms
            answer(admission, latencyMs: 80 + UInt64(index % 10), atNs: nowNs)
        }
        #expect(admission.limit >= 1_000, "the target follows the fastest answers, twice 80 ms")
    }

    @Test func oneSlowAnswerAmongFastOnesCutsNothing() {
        // Smoothed over 16 answers, one of 500 ms lifts the average to about 32 ms: under 50.
        let admission = Admission(boundMs: 150, initialLimit: 200)
        var nowNs: UInt64 = 1_000 * Self.ms
        for _ in 0..<150 {
            nowNs += Self.ms
            answer(admission, latencyMs: 1, atNs: nowNs)
        }
        let before = admission.limit
        answer(admission, latencyMs: 500, atNs: nowNs + Self.ms)
        #expect(admission.limit >= before, "a commit that stalled once is not overload")
    }

    @Test func fastAnswersRaiseTheLimitAboutOnePerRoundUpToTheCeiling() {
        let admission = Admission(boundMs: 50, initialLimit: 100)
        // A first window, to have something to go by.
        answer(admission, latencyMs: 1, atNs: 1_000 * Self.ms)
        answer(admission, latencyMs: 1, atNs: 1_100 * Self.ms)
        for _ in 0..<100 { answer(admission, latencyMs: 1, atNs: 1_100 * Self.ms) }
        #expect(admission.limit == 101, "a hundred fast answers at a limit of a hundred raise it by one")
        let high = Admission(boundMs: 50, initialLimit: Admission.maximumLimit)
        answer(high, latencyMs: 1, atNs: 1_000 * Self.ms)
        #expect(high.limit == Admission.maximumLimit)
    }

    @Test func theAPIRefusesPastTheLimitAndReadinessStillAnswers() async throws {
        let admission = Admission(boundMs: 50, initialLimit: Admission.minimumLimit)
        try await withAPI(admission: admission) { api in
            try await api.fund("busy", 100)
            // Requests in flight elsewhere hold every place.
            for _ in 0..<Admission.minimumLimit { #expect(admission.enter()) }
            let refused = try await api.send("POST", "/v1/authorize", json: #"{"account": "busy", "cost": 1}"#, token: api.authorizeToken)
            #expect(refused.status == 503)
            #expect(refused.json?["code"] == .string("overloaded"))
            #expect(refused.header("Retry-After") == "1")
            #expect(try await api.send("GET", "/readyz", token: nil).status == 200, "readiness is never refused")
            let now = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<Admission.minimumLimit { admission.leave(latencyNs: 1 * Self.ms, nowNs: now) }
            let admitted = try await api.send("POST", "/v1/authorize", json: #"{"account": "busy", "cost": 1}"#, token: api.authorizeToken)
            #expect(admitted.status == 200)
            #expect(try await api.send("GET", "/v1/nowhere").status == 404)
            #expect(admission.inFlight == 0, "every admitted request gave its place back, unmatched ones too")
        }
    }
}
