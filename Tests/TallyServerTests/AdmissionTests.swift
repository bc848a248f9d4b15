// Proves admission control: past its limit a request is refused at once with 503 `overloaded` and
// Retry-After (readiness still answers), answers slower than the bound cut the limit at most once
// per interval and never below the floor, fast ones raise it back, and the API lets work in again
// as soon as places free up.
import Dispatch
import Testing
import TallyCore
import TallyServer

@Suite struct AdmissionTests {
    static let ms: UInt64 = 1_000_000

    @Test func admitsUpToTheLimitAndAgainOnceAPlaceIsFree() {
        let admission = Admission(boundMs: 50, initialLimit: 8)
        for _ in 0..<8 { #expect(admission.enter()) }
        #expect(!admission.enter(), "the ninth waits for a place")
        admission.leave(latencyNs: 5 * Self.ms, nowNs: 1_000 * Self.ms)
        #expect(admission.enter())
        #expect(admission.inFlight == 8)
    }

    @Test func slowAnswersCutTheLimitOncePerIntervalDownToTheFloor() {
        let admission = Admission(boundMs: 50, initialLimit: 100)
        for _ in 0..<3 { #expect(admission.enter()) }
        admission.leave(latencyNs: 80 * Self.ms, nowNs: 1_000 * Self.ms)
        #expect(admission.limit == 90)
        // The same backlog made this one slow too: no second cut within the interval.
        admission.leave(latencyNs: 80 * Self.ms, nowNs: 1_005 * Self.ms)
        #expect(admission.limit == 90)
        admission.leave(latencyNs: 80 * Self.ms, nowNs: 1_011 * Self.ms)
        #expect(admission.limit == 81)
        var nowMs: UInt64 = 2_000
        for _ in 0..<200 {
            #expect(admission.enter())
            nowMs += 20
            admission.leave(latencyNs: 80 * Self.ms, nowNs: nowMs * Self.ms)
        }
        #expect(admission.limit == Admission.minimumLimit)
    }

    @Test func fastAnswersRaiseTheLimitAboutOnePerRoundUpToTheCeiling() {
        let admission = Admission(boundMs: 50, initialLimit: 10)
        for _ in 0..<10 {
            #expect(admission.enter())
            admission.leave(latencyNs: 1 * Self.ms, nowNs: 1_000 * Self.ms)
        }
        #expect(admission.limit == 10 || admission.limit == 11, "ten fast answers at a limit of ten raise it by about one")
        // Between half the bound and the bound: neither raised nor cut.
        let before = admission.limit
        #expect(admission.enter())
        admission.leave(latencyNs: 40 * Self.ms, nowNs: 1_000 * Self.ms)
        #expect(admission.limit == before)
        let high = Admission(boundMs: 50, initialLimit: Admission.maximumLimit)
        #expect(high.enter())
        high.leave(latencyNs: 1 * Self.ms, nowNs: 1_000 * Self.ms)
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
