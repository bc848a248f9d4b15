// usage.threshold: each percentage of the period allowance fires once per period, in ascending
// order when one change passes several, and starts over when a new period begins; the cheap
// pre-check never skips a usage alert when `available` does not move (a capture of the hold).
import Testing
import TallyCore

@Suite struct UsageAlertTests {
    let policy = ThresholdPolicy(usageAlertsPercent: [100, 50, 80])

    func evaluate(
        used: Credits, periodStartMs: Int64 = 1_000, allowance: Credits = 1_000,
        latches: ThresholdLatches
    ) -> (events: [ThresholdEvent], latches: ThresholdLatches) {
        ThresholdRules.evaluate(
            before: 100, after: 100, latches: latches, policy: policy,
            period: PeriodUsage(periodStartMs: periodStartMs, allowance: allowance, used: used),
            nowMs: 5_000)
    }

    @Test func eachPercentFiresOncePerPeriod() {
        var latches = ThresholdLatches()
        var result = evaluate(used: 499, latches: latches)
        #expect(result.events.isEmpty)
        result = evaluate(used: 500, latches: result.latches)
        #expect(
            result.events == [
                .usageThreshold(percent: 50, used: 500, allowance: 1_000, periodStartMs: 1_000)
            ])
        result = evaluate(used: 700, latches: result.latches)
        #expect(result.events.isEmpty, "50 % does not fire again")
        result = evaluate(used: 400, latches: result.latches)
        result = evaluate(used: 600, latches: result.latches)
        #expect(result.events.isEmpty, "a refund and new usage do not re-fire it")
        latches = result.latches
        #expect(latches.firedUsagePercents == [50])
    }

    @Test func severalPercentsInOneChangeFireAscending() {
        let result = evaluate(used: 1_200, latches: ThresholdLatches())
        #expect(
            result.events.map { event -> Int in
                guard case .usageThreshold(let percent, _, _, _) = event else { return -1 }
                return percent
            } == [50, 80, 100])
        #expect(result.events.allSatisfy { $0.type == "usage.threshold" })
        #expect(evaluate(used: 2_000, latches: result.latches).events.isEmpty)
    }

    @Test func aNewPeriodStartsOver() {
        let first = evaluate(used: 900, latches: ThresholdLatches())
        #expect(first.events.count == 2)
        let reset = evaluate(used: 0, periodStartMs: 2_000, latches: first.latches)
        #expect(reset.events.isEmpty && reset.latches.firedUsagePercents.isEmpty)
        #expect(reset.latches.periodStartMs == 2_000)
        let again = evaluate(used: 800, periodStartMs: 2_000, latches: reset.latches)
        #expect(again.events.count == 2)
    }

    @Test func marksRoundUpSoAPercentIsReallyReached() {
        #expect(ThresholdRules.usageMark(allowance: 3, percent: 50) == 2)
        #expect(ThresholdRules.usageMark(allowance: 1_000, percent: 80) == 800)
        #expect(ThresholdRules.usageMark(allowance: 1, percent: 1) == 1)
        #expect(ThresholdRules.usageMark(allowance: .max, percent: 200) == .max)
        let small = ThresholdRules.evaluate(
            before: 0, after: 0, latches: ThresholdLatches(),
            policy: ThresholdPolicy(usageAlertsPercent: [50]),
            period: PeriodUsage(periodStartMs: 0, allowance: 3, used: 1), nowMs: 0)
        #expect(small.events.isEmpty)
    }

    @Test func noAllowanceOrNoPeriodMeansNoUsageAlerts() {
        #expect(evaluate(used: 10, allowance: 0, latches: ThresholdLatches()).events.isEmpty)
        let noPlan = ThresholdRules.evaluate(
            before: 0, after: 0, latches: ThresholdLatches(), policy: policy, period: nil, nowMs: 0)
        #expect(noPlan.events.isEmpty)
    }

    @Test func thePreCheckSeesUsageGrowWhileAvailableStaysPut() {
        let period = PeriodUsage(periodStartMs: 1_000, allowance: 1_000, used: 500)
        var latches = ThresholdLatches(periodStartMs: 1_000)
        #expect(ThresholdRules.mayFire(before: 100, after: 100, latches: latches, policy: policy, period: period))
        latches.firedUsagePercents = [50]
        #expect(!ThresholdRules.mayFire(before: 100, after: 100, latches: latches, policy: policy, period: period))
    }
}
