// autotopup.requested is safe by construction: one request in flight, a cooldown, a monthly cap
// per UTC calendar month, and a pack quantity that closes the whole gap in one charge.
import Testing
import TallyCore

@Suite struct AutoTopUpTests {
    static let minute: Int64 = 60_000
    let topUp = AutoTopUpPolicy(
        below: 1_000, pack: "small", packCredits: 300, monthlyCap: 3,
        inFlightTimeoutMs: 60 * minute, cooldownMs: 10 * minute)

    /// Evaluates one change and returns the auto top-up events and the latches.
    func change(
        _ before: Credits, _ after: Credits, at nowMs: Int64, _ latches: ThresholdLatches
    ) -> (events: [ThresholdEvent], latches: ThresholdLatches) {
        ThresholdRules.evaluate(
            before: before, after: after, latches: latches,
            policy: ThresholdPolicy(autoTopUp: topUp), period: nil, nowMs: nowMs)
    }

    @Test func crossingBelowRequestsPacksThatCloseTheWholeGap() {
        let start = utcMs(2024, 3, 10)
        let result = change(1_200, 100, at: start, ThresholdLatches())
        // Gap 900 → 3 packs of 300; 899 would still need 3; 901 needs 4.
        #expect(
            result.events == [
                .autoTopUpRequested(
                    pack: "small", quantity: 3, credits: 900, below: 1_000, available: 100)
            ])
        #expect(result.events.first?.type == "autotopup.requested")
        #expect(
            result.latches.autoTopUp
                == AutoTopUpState(
                    inFlightSinceMs: start, lastRequestAtMs: start,
                    month: UTCDateTime(epochMs: start).monthNumber, requestsThisMonth: 1))
        for (after, quantity) in [
            (Credits(999), Int64(1)), (701, 1), (700, 1), (699, 2), (99, 4), (-500, 5),
        ] {
            guard
                case .request(let packs, let credits) = AutoTopUpRules.decide(
                    before: 2_000, after: after, state: AutoTopUpState(), policy: topUp,
                    nowMs: start)
            else {
                Issue.record("no request at \(after)")
                continue
            }
            #expect(packs == quantity && credits == quantity * 300)
            #expect(after + credits >= topUp.below, "the packs close the gap")
            #expect(after + credits - 300 < topUp.below, "and no pack more than needed")
        }
    }

    @Test func risesAndStayingAboveNeverRequest() {
        let nowMs = utcMs(2024, 3, 10)
        #expect(
            AutoTopUpRules.decide(
                before: 2_000, after: 1_000, state: .init(), policy: topUp, nowMs: nowMs)
                == .notTriggered)
        #expect(
            AutoTopUpRules.decide(
                before: 100, after: 500, state: .init(), policy: topUp, nowMs: nowMs)
                == .notTriggered)
        #expect(
            AutoTopUpRules.decide(
                before: 500, after: 500, state: .init(), policy: topUp, nowMs: nowMs)
                == .notTriggered)
    }

    @Test func oneRequestInFlightUntilThePackArrivesOrTheTimeout() {
        let start = utcMs(2024, 3, 10)
        var latches = change(1_200, 900, at: start, ThresholdLatches()).latches
        // Spending on while in flight: no second request, even after the cooldown.
        #expect(
            AutoTopUpRules.decide(
                before: 900, after: 800, state: latches.autoTopUp, policy: topUp,
                nowMs: start + 30 * Self.minute)
                == .inFlight(untilMs: start + 60 * Self.minute))
        #expect(change(900, 800, at: start + 30 * Self.minute, latches).events.isEmpty)
        // The timeout passes: the next spending below asks again.
        let retried = change(800, 700, at: start + 60 * Self.minute, latches)
        #expect(retried.events.count == 1)
        // Or the pack arrives; further spending below asks again once the cooldown allows.
        latches.recordPackArrival()
        #expect(latches.autoTopUp.inFlightSinceMs == nil)
        #expect(
            AutoTopUpRules.decide(
                before: 950, after: 940, state: latches.autoTopUp, policy: topUp,
                nowMs: start + 5 * Self.minute)
                == .coolingDown(untilMs: start + 10 * Self.minute))
        #expect(change(950, 940, at: start + 10 * Self.minute, latches).events.count == 1)
    }

    @Test func cooldownSpacesRequestsEvenWhenPacksArriveQuickly() {
        let start = utcMs(2024, 3, 10)
        var latches = ThresholdLatches()
        var requests: [Int64] = []
        var nowMs = start
        var available: Credits = 1_500
        // A debit every minute for an hour; each pack arrives (and is spent) right away.
        for _ in 0..<60 {
            let result = change(available, 500, at: nowMs, latches)
            latches = result.latches
            if !result.events.isEmpty {
                requests.append(nowMs)
                latches.recordPackArrival()
            }
            available = 1_100
            nowMs += Self.minute
        }
        #expect(requests.count == 3, "the monthly cap stops it at three")
        #expect(zip(requests, requests.dropFirst()).allSatisfy { $1 - $0 >= 10 * Self.minute })
    }

    @Test func monthlyCapCountsPerCalendarMonthUTC() {
        var latches = ThresholdLatches()
        var nowMs = utcMs(2024, 1, 31, 20)
        for expected in [1, 2] {
            latches = change(1_100, 900, at: nowMs, latches).latches
            #expect(latches.autoTopUp.requestsThisMonth == expected)
            latches.recordPackArrival()
            nowMs += 11 * Self.minute
        }
        latches = change(1_100, 900, at: nowMs, latches).latches
        latches.recordPackArrival()
        nowMs += 11 * Self.minute
        #expect(
            AutoTopUpRules.decide(
                before: 1_100, after: 900, state: latches.autoTopUp, policy: topUp, nowMs: nowMs)
                == .monthlyCapReached(cap: 3))
        #expect(change(1_100, 900, at: utcMs(2024, 1, 31, 23, 59, 59, 999), latches).events.isEmpty)
        // February 1 00:00 UTC is a new month.
        let february = change(1_100, 900, at: utcMs(2024, 2, 1), latches)
        #expect(february.events.count == 1)
        #expect(february.latches.autoTopUp.requestsThisMonth == 1)
    }

    @Test func noCapMeansOnlyInFlightAndCooldownLimit() {
        let uncapped = AutoTopUpPolicy(below: 10, pack: "p", packCredits: 5, cooldownMs: 0)
        var state = AutoTopUpState(
            inFlightSinceMs: nil, lastRequestAtMs: 0, month: 0, requestsThisMonth: 1_000_000)
        state.month = UTCDateTime(epochMs: 100).monthNumber
        #expect(
            AutoTopUpRules.decide(before: 20, after: 0, state: state, policy: uncapped, nowMs: 100)
                == .request(quantity: 2, credits: 10))
    }

    @Test func extremeValuesNeverTrap() {
        let huge = AutoTopUpPolicy(
            below: .max, pack: "p", packCredits: 1, monthlyCap: .max, inFlightTimeoutMs: .max,
            cooldownMs: .max)
        let state = AutoTopUpState(
            inFlightSinceMs: .max, lastRequestAtMs: .max, month: .max, requestsThisMonth: .max)
        _ = AutoTopUpRules.decide(
            before: .max, after: .min, state: state, policy: huge, nowMs: .max)
        let result = ThresholdRules.evaluate(
            before: .max, after: .min, latches: ThresholdLatches(),
            policy: ThresholdPolicy(autoTopUp: huge), period: nil, nowMs: .min)
        #expect(result.events.map(\.type) == ["balance.depleted", "autotopup.requested"])
        let broken = AutoTopUpPolicy(below: 10, pack: "p", packCredits: 0)
        #expect(
            AutoTopUpRules.decide(before: 20, after: 0, state: .init(), policy: broken, nowMs: 0)
                == .notTriggered)
    }
}
