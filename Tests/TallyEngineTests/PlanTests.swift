// Proves plans on accounts through the engine: the first allowance on creation, lazy period
// starts with rollover (and its cap) on the next access, catch-up over a long idle gap with one
// `period.reset` per period and no repeats after a restart, the scheduler starting periods of
// idle accounts, plan changes at the next period and now (pro rata), the plan's overdraft, and
// usage alerts once per period; and a settings change is told by account.updated even when the
// clock has not moved since the account's last change.
import Foundation
import TallyTesting
import Testing
import TallyCore
import TallyEngine
@testable import TallyStore

@Suite struct PlanTests {
    /// 2024-01-31T10:00:00Z: a month-end anchor, in a leap year.
    static let anchorMs = Timestamp.parse("2024-01-31T10:00:00.000Z")!

    static let catalog = Catalog(
        plans: [
            "monthly": Plan(
                name: "monthly", allowance: 1_000, period: .month, rolloverCap: 300, overdraftLimit: 50,
                thresholds: [200], usageAlertsPercent: [50, 80, 100]),
            "big": Plan(name: "big", allowance: 3_000, period: .month),
            "daily": Plan(name: "daily", allowance: 10, period: .day),
        ],
        packs: ["refill": Pack(name: "refill", credits: 500, priceAmount: 500, priceCurrency: "USD")])

    /// An engine whose own due-work timer never fires during a test: the tests run the due work
    /// themselves, and a timer firing between a clock step and that call took work from it.
    static func engine(_ database: TempDatabase, _ clock: ManualClock) throws -> Engine {
        try Engine(
            configuration: EngineConfiguration(
                store: storeConfiguration(database.path), catalog: catalog, dueWorkIntervalMs: 365 * 86_400_000),
            clock: clock)
    }

    static func types(_ engine: Engine, _ account: String) async throws -> [String] {
        try await engine.events(EventQuery(account: account, limit: 10_000)).map(\.type)
    }

    static func body(_ row: EventRow) -> JSONValue? { try? JSONParser.parse(row.body) }

    @Test func anAccountOnAPlanGetsItsAllowanceAndRollsOverAtTheMonthEnd() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: Self.anchorMs)
        let engine = try Self.engine(database, clock)
        let created = try await engine.createAccount(NewAccount(id: "a", plan: "monthly")).value
        #expect(created.balance.available == 1_000 && created.account.overdraftLimit == 50)
        let subscription = try #require(created.account.subscription)
        #expect(subscription.periodEndMs == Timestamp.parse("2024-02-29T10:00:00.000Z"), "Jan 31 clamps to Feb 29")

        try await debit(engine, "a", 600)
        #expect(try await engine.account("a").periodUsed == 600)
        clock.advance(byMs: subscription.periodEndMs - clock.nowMs())
        let next = try await engine.account("a")
        // 400 unused, capped at 300, plus the new 1,000.
        #expect(next.balance.available == 1_300 && next.periodUsed == 0)
        #expect(next.lots.map(\.source) == [.rollover, .allowance])
        #expect(next.account.subscription?.periodEndMs == Timestamp.parse("2024-03-31T10:00:00.000Z"))
        let resets = try await engine.events(EventQuery(type: "period.reset", account: "a", limit: 10))
        #expect(resets.count == 2)
        let data = Self.body(resets[1])?["data"]
        #expect(data?["rollover"] == .integer(300) && data?["expired"] == .integer(400) && data?["allowance"] == .integer(1_000))

        // The rollover lot burns first and lives one period: unused, it expires and never rolls.
        try await debit(engine, "a", 100)
        clock.advance(byMs: Timestamp.parse("2024-03-31T10:00:00.000Z")! - clock.nowMs())
        let third = try await engine.account("a")
        #expect(third.balance.available == 1_300, "1,000 unused allowance caps at 300; the old rollover expires")
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }

    @Test func fourteenIdleMonthsStartEachPeriodOnceEvenAcrossARestart() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: Self.anchorMs)
        var engine = try Self.engine(database, clock)
        _ = try await engine.createAccount(NewAccount(id: "idle", plan: "monthly"))
        try await debit(engine, "idle", 900)
        clock.advance(byMs: Timestamp.parse("2025-04-01T00:00:00.000Z")! - clock.nowMs())
        let view = try await engine.account("idle")
        let resets = try await engine.events(EventQuery(type: "period.reset", account: "idle", limit: 100))
        #expect(resets.count == 15, "the first period plus 14 starts")
        let starts = resets.compactMap { Self.body($0)?["data"]?["period_start"]?.stringValue }
        #expect(starts.last == "2025-03-31T10:00:00.000Z" && starts[1] == "2024-02-29T10:00:00.000Z")
        #expect(starts[2] == "2024-03-31T10:00:00.000Z", "the clamp never drags later months")
        // Each idle month rolls the capped 300 of its unused 1,000; the last one is live.
        #expect(view.balance.available == 1_300)
        let usage = try await engine.events(EventQuery(type: "usage.threshold", account: "idle", limit: 100))
        #expect(usage.count == 2, "50 % and 80 % of the first period, once")

        await engine.close()
        engine = try Self.engine(database, clock)
        _ = try await engine.account("idle")
        #expect(try await engine.events(EventQuery(type: "period.reset", account: "idle", limit: 100)).count == 15)
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }

    @Test func theSchedulerStartsPeriodsOfIdleAccounts() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: Self.anchorMs)
        let engine = try Self.engine(database, clock)
        for index in 0..<3 { _ = try await engine.createAccount(NewAccount(id: "d\(index)", plan: "daily")) }
        clock.advance(byMs: 86_400_000)
        #expect(await engine.runDueWork() == 3)
        #expect(await engine.runDueWork() == 0, "nothing is due twice")
        let reader = try Connection(path: database.path, readOnly: true)
        #expect(try reader.events(EventQuery(type: "period.reset", limit: 100)).count == 6)
        await engine.close()
    }

    @Test func aPlanChangeWaitsForThePeriodStartUnlessProratedNow() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: Self.anchorMs)
        let engine = try Self.engine(database, clock)
        _ = try await engine.createAccount(NewAccount(id: "later", plan: "monthly"))
        _ = try await engine.createAccount(NewAccount(id: "now", plan: "monthly"))
        // Half of the 29-day February period.
        clock.advance(byMs: 29 * 43_200_000)

        let scheduled = try await engine.updateAccount("later", AccountChanges(plan: PlanChoice(name: "big"))).value
        #expect(scheduled.balance.available == 1_000 && scheduled.account.subscription?.scheduledChange?.plan == "big")
        let prorated = try await engine.updateAccount("now", AccountChanges(plan: PlanChoice(name: "big", timing: .now))).value
        #expect(prorated.balance.available == 2_000, "half of the 2,000 difference")
        #expect(prorated.account.subscription?.plan == "big")

        clock.advance(byMs: 29 * 43_200_000)
        let moved = try await engine.account("later")
        #expect(moved.account.subscription?.plan == "big" && moved.account.subscription?.scheduledChange == nil)
        #expect(moved.balance.available == 3_000, "the new plan has no rollover")

        let unknown = await rejection { () async throws(EngineError) in
            try await engine.updateAccount("later", AccountChanges(status: .suspended, plan: PlanChoice(name: "nope")))
        }
        #expect(unknown == .unknownPlan)
        #expect(try await engine.account("later").account.status == .active, "a refused change leaves nothing")
        let left = try await engine.updateAccount("now", AccountChanges(plan: PlanChoice(name: nil, timing: .now))).value
        #expect(left.account.subscription == nil && left.account.overdraftLimit == 0)
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }

    @Test func usageAlertsFireOncePerPeriodAndSurviveARestart() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: Self.anchorMs)
        var engine = try Self.engine(database, clock)
        _ = try await engine.createAccount(NewAccount(id: "u", plan: "monthly"))
        try await debit(engine, "u", 499)
        #expect(try await Self.types(engine, "u").filter { $0 == "usage.threshold" }.isEmpty)
        try await debit(engine, "u", 1)
        await engine.close()
        engine = try Self.engine(database, clock)
        #expect(try await engine.account("u").periodUsed == 500, "usage is counted again from the ledger")
        try await debit(engine, "u", 10)
        try await debit(engine, "u", 500)
        let alerts = try await engine.events(EventQuery(type: "usage.threshold", account: "u", limit: 10))
        #expect(alerts.compactMap { Self.body($0)?["data"]?["percent"] } == [.integer(50), .integer(80), .integer(100)])
        #expect(try await Self.types(engine, "u").contains("balance.low"), "the plan's 200 level")

        clock.advance(byMs: 30 * 86_400_000)
        try await debit(engine, "u", 650)
        let after = try await engine.events(EventQuery(type: "usage.threshold", account: "u", limit: 10))
        #expect(after.count == 4, "the new period's 50 %")
        await engine.close()
    }

    @Test func autoTopUpAsksOnceUntilThePackArrivesAndKeepsItsCapAcrossARestart() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: Self.anchorMs)
        var engine = try Self.engine(database, clock)
        let setting = AutoTopUpSetting(below: 300, pack: "refill", monthlyCap: 2)
        _ = try await engine.createAccount(NewAccount(id: "t", autoTopUp: setting))
        _ = try await engine.addCredits("t", CreditRequest(amount: 1_000, source: .topup))
        try await debit(engine, "t", 800)
        try await debit(engine, "t", 50)
        var requests = try await engine.events(EventQuery(type: "autotopup.requested", account: "t", limit: 10))
        #expect(requests.count == 1, "one request in flight")
        #expect(Self.body(requests[0])?["data"]?["quantity"] == .integer(1))

        _ = try await engine.buyPack("t", pack: "refill", idempotencyKey: "pay_1")
        try await debit(engine, "t", 600)
        #expect(try await engine.events(EventQuery(type: "autotopup.requested", account: "t", limit: 10)).count == 1, "cooldown")
        clock.advance(byMs: 11 * 60_000)
        try await debit(engine, "t", 1)
        requests = try await engine.events(EventQuery(type: "autotopup.requested", account: "t", limit: 10))
        #expect(requests.count == 2)

        await engine.close()
        engine = try Self.engine(database, clock)
        _ = try await engine.buyPack("t", pack: "refill", idempotencyKey: "pay_2")
        clock.advance(byMs: 11 * 60_000)
        try await debit(engine, "t", 300)
        #expect(try await engine.events(EventQuery(type: "autotopup.requested", account: "t", limit: 10)).count == 2, "monthly cap of 2")
        await engine.close()
    }

    @Test func aSettingsChangeInTheSameMillisecondIsStillTold() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try Self.engine(database, ManualClock(startMs: Self.anchorMs))
        _ = try await engine.createAccount(NewAccount(id: "still"))
        _ = try await engine.updateAccount("still", AccountChanges(metadata: ["tier": "gold"]))
        _ = try await engine.updateAccount("still", AccountChanges(metadata: ["tier": "gold"]))
        let updates = try await engine.events(EventQuery(type: "account.updated", account: "still", limit: 10))
        #expect(updates.count == 1, "the clock stood still, the change is told once, and a no-op tells nothing")
        await engine.close()
    }
}
