// The reset rule at a period start (rollover cap, zero and full usage, old rollover never carried,
// debt repaid first when the engine credits it) and plan changes, now pro rata or at the next start.
import Testing
import TallyCore

/// An account driven through the existing rules, the way the engine will apply a reset.
struct PlanAccount {
    var state = AccountState(
        account: Account(id: "acct_plan", overdraftLimit: 1_000, createdAtMs: 0))
    var ids = PlanIDs()

    @discardableResult
    mutating func credit(_ request: CreditRequest, at nowMs: Int64) throws -> LedgerEntry {
        var context = RuleContext(nowMs: nowMs, ids: ids)
        defer { ids = context.ids }
        return try state.credit(request, context: &context)
    }

    mutating func debit(_ cost: Credits, at nowMs: Int64) throws {
        var context = RuleContext(nowMs: nowMs, ids: ids)
        defer { ids = context.ids }
        _ = try state.debit(cost: cost, context: &context)
    }

    mutating func expire(at nowMs: Int64) -> [LedgerEntry] {
        var context = RuleContext(nowMs: nowMs, ids: ids)
        defer { ids = context.ids }
        return state.expire(context: &context)
    }

    func lots(_ source: LotSource) -> [Lot] { state.liveLots.filter { $0.source == source } }

    /// Applies a reset as the engine will: expirations (here through the expiry rule, which
    /// must book the same credits), then the rollover, then the allowance.
    mutating func apply(_ reset: PeriodReset, at boundaryMs: Int64) throws {
        let booked = expire(at: boundaryMs).flatMap(\.postings).filter { $0.kind == .expire }
        #expect(
            Set(booked.map { LotExpiry(lot: $0.lot, credits: $0.amount) }) == Set(reset.expirations)
        )
        if let rollover = reset.rollover { try credit(rollover, at: boundaryMs) }
        if let allowance = reset.allowance { try credit(allowance, at: boundaryMs) }
    }
}

@Suite struct PeriodResetTests {
    let schedule = PeriodSchedule(anchorMs: utcMs(2024, 1, 31, 8), unit: .month)
    let plan = Plan(name: "pro", allowance: 1_000, period: .month, rolloverCap: 300)

    /// An account in period 0 holding that period's allowance.
    func startedAccount(plan: Plan? = nil) throws -> (PlanAccount, Period) {
        var account = PlanAccount()
        let period = try #require(schedule.period(0))
        let reset = PeriodRules.reset(
            allowanceLots: [], rolloverLots: [], plan: plan ?? self.plan, period: period)
        #expect(reset.expirations.isEmpty && reset.rollover == nil)
        try account.apply(reset, at: period.startMs)
        return (account, period)
    }

    @Test func rolloverIsCappedAndExpiresAtTheNewPeriodsEnd() throws {
        var (account, first) = try startedAccount()
        try account.debit(400, at: first.startMs + 1_000)
        let next = try #require(schedule.period(1))
        let reset = PeriodRules.reset(
            allowanceLots: account.lots(.allowance), rolloverLots: account.lots(.rollover),
            plan: plan, period: next)
        #expect(reset.expiredCredits == 600)
        #expect(
            reset.rollover
                == CreditRequest(
                    amount: 300, source: .rollover, expiresAtMs: next.endMs, reference: "rollover:1"
                ))
        #expect(
            reset.allowance
                == CreditRequest(
                    amount: 1_000, source: .allowance, expiresAtMs: next.endMs,
                    reference: "allowance:1"))
        #expect(reset.breakageCredits == 300)
        try account.apply(reset, at: next.startMs)
        #expect(account.state.available == 1_300)
        // The rollover lot was credited first, so it pays first.
        #expect(account.state.liveLots.map(\.source) == [.rollover, .allowance])
    }

    @Test func zeroUsageRollsOverUpToTheCap() throws {
        var (account, _) = try startedAccount()
        let next = try #require(schedule.period(1))
        let reset = PeriodRules.reset(
            allowanceLots: account.lots(.allowance), rolloverLots: [], plan: plan, period: next)
        #expect(reset.rolledOverCredits == 300 && reset.expiredCredits == 1_000)
        try account.apply(reset, at: next.startMs)
        #expect(account.state.available == 1_300)
        // A cap above the unused allowance carries all of it.
        let generous = Plan(name: "g", allowance: 1_000, period: .month, rolloverCap: 5_000)
        (account, _) = try startedAccount(plan: generous)
        let all = PeriodRules.reset(
            allowanceLots: account.lots(.allowance), rolloverLots: [], plan: generous, period: next)
        #expect(all.rolledOverCredits == 1_000 && all.breakageCredits == 0)
    }

    @Test func fullUsageRollsNothingAndExpiresNothing() throws {
        var (account, _) = try startedAccount()
        try account.debit(1_000, at: schedule.startMs(ofPeriod: 0)! + 5)
        let next = try #require(schedule.period(1))
        let reset = PeriodRules.reset(
            allowanceLots: account.lots(.allowance), rolloverLots: account.lots(.rollover),
            plan: plan, period: next)
        #expect(reset.expirations.isEmpty && reset.rollover == nil)
        try account.apply(reset, at: next.startMs)
        #expect(account.state.available == 1_000)
    }

    @Test func oldRolloverExpiresAndIsNeverCarriedAgain() throws {
        var (account, _) = try startedAccount()
        for index in Int64(1)...3 {
            let period = try #require(schedule.period(index))
            let reset = PeriodRules.reset(
                allowanceLots: account.lots(.allowance), rolloverLots: account.lots(.rollover),
                plan: plan, period: period)
            // Unused: 1,000 allowance (+ 300 rollover after the first reset); only 300 carries.
            #expect(reset.rolledOverCredits == 300)
            #expect(reset.expiredCredits == (index == 1 ? 1_000 : 1_300))
            try account.apply(reset, at: period.startMs)
            #expect(account.state.available == 1_300)
        }
    }

    @Test func noCapOrZeroCapMeansNoRollover() throws {
        for cap in [nil, Credits(0)] {
            let plain = Plan(name: "plain", allowance: 1_000, period: .month, rolloverCap: cap)
            let (account, _) = try startedAccount(plan: plain)
            let reset = PeriodRules.reset(
                allowanceLots: account.lots(.allowance), rolloverLots: [], plan: plain,
                period: schedule.period(1)!)
            #expect(reset.rollover == nil && reset.breakageCredits == 1_000)
        }
        let empty = Plan(name: "empty", allowance: 0, period: .month)
        #expect(
            PeriodRules.reset(
                allowanceLots: [], rolloverLots: [], plan: empty, period: schedule.period(1)!
            ).allowance == nil)
    }

    @Test func debtIsRepaidFirstByTheIncomingCredits() throws {
        var (account, first) = try startedAccount()
        // Spend the allowance and 250 more on the overdraft.
        try account.debit(1_250, at: first.startMs + 10)
        #expect(account.state.debt == 250)
        let next = try #require(schedule.period(1))
        let reset = PeriodRules.reset(
            allowanceLots: account.lots(.allowance), rolloverLots: account.lots(.rollover),
            plan: plan, period: next)
        #expect(reset.rollover == nil && reset.expirations.isEmpty)
        try account.apply(reset, at: next.startMs)
        #expect(account.state.debt == 0)
        #expect(account.lots(.allowance).map(\.remaining) == [750])
        #expect(account.state.available == 750)
    }

    @Test func debtWithUnusedAllowanceIsRepaidFromTheRolloverFirst() throws {
        var account = PlanAccount()
        let first = try #require(schedule.period(0))
        try account.debit(100, at: first.startMs - 10)  // debt 100 before the plan's allowance
        #expect(account.state.debt == 100)
        try account.apply(
            PeriodRules.reset(allowanceLots: [], rolloverLots: [], plan: plan, period: first),
            at: first.startMs)
        #expect(account.state.debt == 0 && account.state.available == 900)
        let next = try #require(schedule.period(1))
        try account.debit(1_000, at: first.startMs + 1)  // 900 from the lot, 100 new debt
        #expect(account.state.debt == 100)
        let reset = PeriodRules.reset(
            allowanceLots: account.lots(.allowance), rolloverLots: [], plan: plan, period: next)
        #expect(reset.rollover == nil)
        try account.apply(reset, at: next.startMs)
        #expect(account.state.debt == 0 && account.state.available == 900)
    }

    @Test func proratedAllowanceRoundsDown() throws {
        let period = Period(index: 0, startMs: 0, endMs: 3_000)
        #expect(PeriodRules.prorated(1_000, period: period, fromMs: 0) == 1_000)
        #expect(PeriodRules.prorated(1_000, period: period, fromMs: 1_000) == 666)
        #expect(PeriodRules.prorated(1_000, period: period, fromMs: 2_999) == 0)
        #expect(PeriodRules.prorated(1_000, period: period, fromMs: 3_000) == 0)
        #expect(PeriodRules.prorated(1_000, period: period, fromMs: -5) == 1_000)
        #expect(PeriodRules.prorated(0, period: period, fromMs: 0) == 0)
        // 10^15 credits over a leap year, one millisecond in: no overflow, floor of the exact value.
        let year = try #require(PeriodSchedule(anchorMs: utcMs(2024, 1, 1), unit: .year).period(0))
        #expect(year.lengthMs == 366 * planDayMs)
        #expect(
            PeriodRules.prorated(Limits.amount.upperBound, period: year, fromMs: year.startMs + 1)
                == 999_999_999_968_376)
    }

    @Test func upgradeNowGrantsTheProRataDifference() throws {
        var (account, first) = try startedAccount()
        try account.debit(600, at: first.startMs + 1)
        let halfway = first.startMs + first.lengthMs / 2
        let bigger = Plan(name: "max", allowance: 3_000, period: .month)
        let change = PeriodRules.changePlan(
            from: plan, to: bigger, anchorMs: schedule.anchorMs,
            allowanceLots: account.lots(.allowance), nowMs: halfway, timing: .now)
        #expect(change.effectiveAtMs == halfway && change.anchorMs == schedule.anchorMs)
        #expect(change.takeBack.isEmpty)
        #expect(
            change.grant
                == CreditRequest(
                    amount: 1_000, source: .allowance, expiresAtMs: first.endMs,
                    reference: "allowance:0"))
        try account.credit(change.grant!, at: halfway)
        // 600 used + 1,400 left = 2,000: half a period of each plan.
        #expect(account.state.available == 1_400)
        // The next reset sees both allowance lots as unused allowance.
        let reset = PeriodRules.reset(
            allowanceLots: account.lots(.allowance), rolloverLots: [], plan: bigger,
            period: schedule.period(1)!)
        #expect(reset.expiredCredits == 1_400 && reset.rollover == nil)
    }

    @Test func downgradeNowTakesBackOnlyUnusedAllowance() throws {
        let big = Plan(name: "big", allowance: 3_000, period: .month)
        var (account, first) = try startedAccount(plan: big)
        let halfway = first.startMs + first.lengthMs / 2
        try account.debit(600, at: first.startMs + 1)
        let change = PeriodRules.changePlan(
            from: big, to: plan, anchorMs: schedule.anchorMs,
            allowanceLots: account.lots(.allowance), nowMs: halfway, timing: .now)
        #expect(change.grant == nil)
        let lot = try #require(account.lots(.allowance).first)
        #expect(change.takeBack == [LotExpiry(lot: lot.id, credits: 1_000)])
        // Heavy use: only what is left is taken back, never debt.
        try account.debit(2_200, at: first.startMs + 2)
        let late = PeriodRules.changePlan(
            from: big, to: plan, anchorMs: schedule.anchorMs,
            allowanceLots: account.lots(.allowance), nowMs: halfway, timing: .now)
        #expect(late.takeBack == [LotExpiry(lot: lot.id, credits: 200)])
        // Same allowance: nothing at all.
        let same = PeriodRules.changePlan(
            from: big, to: big, anchorMs: schedule.anchorMs,
            allowanceLots: account.lots(.allowance),
            nowMs: halfway, timing: .now)
        #expect(same.takeBack.isEmpty && same.grant == nil)
    }

    @Test func changeAtTheNextPeriodStartWaitsForTheReset() throws {
        let (account, first) = try startedAccount()
        let bigger = Plan(name: "max", allowance: 3_000, period: .month)
        let change = PeriodRules.changePlan(
            from: plan, to: bigger, anchorMs: schedule.anchorMs,
            allowanceLots: account.lots(.allowance), nowMs: first.startMs + 5,
            timing: .nextPeriodStart)
        #expect(
            change
                == PlanChange(
                    effectiveAtMs: first.endMs, anchorMs: schedule.anchorMs, takeBack: [],
                    grant: nil))
        // At that boundary the reset runs with the new plan: no rollover cap, full new allowance.
        let reset = PeriodRules.reset(
            allowanceLots: account.lots(.allowance), rolloverLots: [], plan: bigger,
            period: schedule.period(1)!)
        #expect(reset.rollover == nil && reset.allowance?.amount == 3_000)
    }

    @Test func aUnitChangeReanchorsTheSchedule() throws {
        let (account, first) = try startedAccount()
        let weekly = Plan(name: "weekly", allowance: 200, period: .week)
        let nowMs = first.startMs + first.lengthMs / 4
        let later = PeriodRules.changePlan(
            from: plan, to: weekly, anchorMs: schedule.anchorMs,
            allowanceLots: account.lots(.allowance), nowMs: nowMs, timing: .nextPeriodStart)
        #expect(later.effectiveAtMs == first.endMs && later.anchorMs == first.endMs)
        let now = PeriodRules.changePlan(
            from: plan, to: weekly, anchorMs: schedule.anchorMs,
            allowanceLots: account.lots(.allowance), nowMs: nowMs, timing: .now)
        #expect(now.anchorMs == nowMs)
        #expect(
            now.takeBack.map(\.credits) == [
                PeriodRules.prorated(1_000, period: first, fromMs: nowMs)
            ])
        #expect(now.takeBack.map(\.credits) == [750])
        #expect(
            now.grant
                == CreditRequest(
                    amount: 200, source: .allowance, expiresAtMs: nowMs + 7 * planDayMs,
                    reference: "allowance:0"))
    }

    @Test func aFirstPlanStartsNowWithAWholeAllowance() {
        let nowMs = utcMs(2024, 5, 17, 13)
        let change = PeriodRules.changePlan(
            from: nil, to: plan, anchorMs: 0, allowanceLots: [], nowMs: nowMs,
            timing: .nextPeriodStart)
        #expect(change.anchorMs == nowMs && change.effectiveAtMs == nowMs)
        #expect(
            change.grant?.amount == 1_000 && change.grant?.expiresAtMs == utcMs(2024, 6, 17, 13))
    }
}

@Suite struct PlanChangeTotalityTests {
    @Test func extremeInputsNeverTrap() {
        let lows = Plan(name: "low", allowance: .min, period: .month)
        let highs = Plan(name: "high", allowance: .max, period: .month)
        let lot = Lot(
            id: 1, source: .allowance, amount: 10, priority: 0, expiresAtMs: nil, createdAtMs: 0,
            reference: nil)
        for (old, new) in [(lows, highs), (highs, lows)] {
            for nowMs in [Int64.min, 0, .max] {
                for timing in PlanChangeTiming.allCases {
                    let change = PeriodRules.changePlan(
                        from: old, to: new, anchorMs: 0, allowanceLots: [lot], nowMs: nowMs,
                        timing: timing)
                    #expect(change.takeBack.allSatisfy { $0.credits <= lot.remaining })
                    #expect((change.grant?.amount ?? 0) <= Limits.amount.upperBound)
                }
            }
        }
        #expect(PeriodRules.prorated(5, period: Period(index: 0, startMs: .min, endMs: .max), fromMs: 0) == 0)
    }
}
