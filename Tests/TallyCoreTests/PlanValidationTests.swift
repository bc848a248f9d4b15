// Plan validation lists every problem with its path and reason, and accepts the shipped shapes
// (an allowance plan with usage alerts and a rate limit, a rollover plan).
import Testing
import TallyCore

@Suite struct PlanValidationTests {
    @Test func validPlansHaveNoProblems() {
        let starter = Plan(
            name: "starter", allowance: 1_000, period: .month, thresholds: [100, 10],
            usageAlertsPercent: [50, 80, 100], rateLimit: RateLimit(limit: 100, windowSeconds: 1))
        let pro = Plan(
            name: "pro.v2", allowance: 50_000, period: .year, rolloverCap: 10_000,
            overdraftLimit: 500)
        let free = Plan(name: "free", allowance: 0, period: .day, thresholds: [-100, 0])
        #expect(starter.validate(path: "plans.starter").isEmpty)
        #expect(pro.validate().isEmpty)
        #expect(free.validate().isEmpty)
    }

    @Test func everyProblemIsListedWithItsPath() {
        let plan = Plan(
            name: "bad name", allowance: -1, period: .month,
            rolloverCap: Limits.amount.upperBound + 1,
            overdraftLimit: -5, thresholds: [10, 10, Limits.amount.upperBound + 1],
            usageAlertsPercent: [0, 50, 50, 1_001],
            rateLimit: RateLimit(limit: 0, windowSeconds: 86_401))
        let problems = plan.validate(path: "plans.x")
        #expect(
            problems.map(\.path) == [
                "plans.x.name", "plans.x.allowance", "plans.x.rollover_cap",
                "plans.x.overdraft_limit",
                "plans.x.thresholds[1]", "plans.x.thresholds[2]",
                "plans.x.usage_alerts_percent[0]", "plans.x.usage_alerts_percent[2]",
                "plans.x.usage_alerts_percent[3]",
                "plans.x.rate_limit.limit", "plans.x.rate_limit.window_seconds",
            ])
        #expect(problems.allSatisfy { !$0.reason.isEmpty })
        #expect(problems[4].reason == "repeats 10")
        #expect(problems[0].description == "plans.x.name: must be 1 to 64 of A-Z a-z 0-9 _ . -")
    }

    @Test func listsAreBoundedAndAlertsNeedAnAllowance() {
        let many = Plan(
            name: "m", allowance: 10, period: .week, thresholds: (1...21).map { Credits($0) })
        #expect(many.validate().map(\.reason) == ["at most 20 entries"])
        let noAllowance = Plan(name: "n", allowance: 0, period: .week, usageAlertsPercent: [50])
        #expect(noAllowance.validate().map(\.path) == ["usage_alerts_percent"])
        #expect(Plan(name: "", allowance: 1, period: .day).validate().map(\.path) == ["name"])
        #expect(
            Plan(name: String(repeating: "a", count: 65), allowance: 1, period: .day).validate()
                .count == 1)
    }

    @Test func autoTopUpPolicyValidation() {
        #expect(
            AutoTopUpPolicy(below: 100, pack: "small", packCredits: 500, monthlyCap: 3).validate()
                .isEmpty)
        let bad = AutoTopUpPolicy(
            below: 0, pack: "", packCredits: 0, monthlyCap: 0, inFlightTimeoutMs: 0, cooldownMs: -1)
        #expect(
            bad.validate(path: "auto_topup").map(\.path) == [
                "auto_topup.below", "auto_topup.pack", "auto_topup.pack", "auto_topup.monthly_cap",
                "auto_topup.in_flight_timeout", "auto_topup.cooldown",
            ])
    }
}
