// Proves the period rules on an account's state: the start books what expired before it, keeps
// the reserved part of the old allowance with its hold (expiring when released), carries the
// capped rollover, follows a scheduled plan change or removal, ends the plan of a closed
// account, and counts usage per period.
import Testing
import TallyCore

@Suite struct PeriodStartTests {
    static let day: Int64 = 86_400_000
    static let plans = [
        "daily": Plan(name: "daily", allowance: 100, period: .day, rolloverCap: 30),
        "big": Plan(name: "big", allowance: 500, period: .day),
    ]

    @Test func aStartKeepsTheHeldPartOfTheOldAllowanceWithItsHold() throws {
        var ledger = Ledger()
        try ledger.changePlan(to: "daily", plans: Self.plans, at: t0)
        let hold = try ledger.hold(40, expiresAt: t0 + 2 * Self.day, at: t0 + 1)
        try ledger.debit(50, at: t0 + 2)
        #expect(ledger.state.periodUsed == 50)
        let starts = ledger.startDuePeriods(plans: Self.plans, at: t0 + Self.day)
        #expect(starts.map(\.rollover) == [10] && starts.map(\.expired) == [10])
        #expect(ledger.state.periodUsed == 0)
        let old = try #require(ledger.state.lots.values.first { $0.source == .allowance && $0.createdAtMs == t0 })
        #expect(old.reserved == 40 && old.remaining == 0)
        try ledger.release(try #require(hold.referenceID), at: t0 + Self.day + 1)
        let released = try #require(ledger.state.lots[old.id])
        #expect(released.expired == 50 && released.reserved == 0, "what the hold gives back expires at once")
        #expect(ledger.state.available == 110)
    }

    @Test func aScheduledChangeAndARemovalTakeEffectAtTheirStart() throws {
        var ledger = Ledger()
        try ledger.changePlan(to: "daily", plans: Self.plans, at: t0)
        try ledger.changePlan(to: "big", plans: Self.plans, at: t0 + 5)
        #expect(ledger.state.account.subscription?.scheduledChange == ScheduledPlanChange(plan: "big"))
        let starts = ledger.startDuePeriods(plans: Self.plans, at: t0 + Self.day)
        #expect(starts.map(\.plan) == ["big"] && starts.map(\.rollover) == [0], "the new plan's cap decides")
        #expect(ledger.state.available == 500)

        try ledger.changePlan(to: nil, plans: Self.plans, at: t0 + Self.day + 5)
        #expect(ledger.startDuePeriods(plans: Self.plans, at: t0 + 3 * Self.day).isEmpty)
        #expect(ledger.state.account.subscription == nil && ledger.state.available == 0, "the last allowance expired")
    }

    @Test func aClosedAccountsPlanEndsAtTheNextStart() throws {
        var ledger = Ledger()
        try ledger.changePlan(to: "daily", plans: Self.plans, at: t0)
        try ledger.update(AccountChanges(status: .closed), at: t0 + 1)
        #expect(ledger.startDuePeriods(plans: Self.plans, at: t0 + 10 * Self.day).isEmpty)
        #expect(ledger.state.account.subscription == nil)
    }

    @Test func aLongGapStartsEachPeriodAtItsOwnInstantUpToTheLimit() throws {
        var ledger = Ledger()
        try ledger.changePlan(to: "daily", plans: Self.plans, at: t0)
        let starts = ledger.startDuePeriods(plans: Self.plans, at: t0 + 2_000 * Self.day)
        #expect(starts.count == PeriodSchedule.maxCrossedStarts)
        #expect(zip(starts, starts.dropFirst()).allSatisfy { $1.period.startMs - $0.period.startMs == Self.day })
        #expect(ledger.state.hasPeriodStartDue(atMs: t0 + 2_000 * Self.day), "the rest waits for the next access")
        #expect(ledger.startDuePeriods(plans: Self.plans, at: t0 + 2_000 * Self.day).count == 1_000)
        #expect(!ledger.state.hasPeriodStartDue(atMs: t0 + 2_000 * Self.day))
    }

    @Test func anUnknownPlanIsRefusedAndChangesNothing() throws {
        var ledger = Ledger()
        #expect(throws: Rejection.unknownPlan) { try ledger.changePlan(to: "gold", plans: Self.plans, at: t0) }
        #expect(ledger.state.account.subscription == nil)
    }
}
