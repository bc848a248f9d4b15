// balance.low / balance.depleted / balance.recovered: one event per crossing naming the lowest
// level, no double fire, re-arm only past level + hysteresis or at a period reset.
import TallyTesting
import Testing
import TallyCore

/// Feeds a sequence of `available` values through the rules, keeping the latches like the store.
struct ThresholdRun {
    var policy: ThresholdPolicy
    var latches = ThresholdLatches()
    var available: Credits
    var period: PeriodUsage?
    var nowMs: Int64 = 1_700_000_000_000

    init(levels: [Credits], hysteresis: Credits = 0, available: Credits, period: PeriodUsage? = nil)
    {
        policy = ThresholdPolicy(levels: levels, hysteresis: hysteresis)
        self.available = available
        self.period = period
    }

    /// Moves `available` to `after` and returns the event types raised.
    mutating func move(to after: Credits) -> [ThresholdEvent] {
        let result = ThresholdRules.evaluate(
            before: available, after: after, latches: latches, policy: policy, period: period,
            nowMs: nowMs)
        available = after
        latches = result.latches
        nowMs += 1_000
        return result.events
    }
}

@Suite struct ThresholdTests {
    @Test func aSingleCrossingFiresOnce() {
        var run = ThresholdRun(levels: [100], available: 500)
        #expect(run.move(to: 150).isEmpty)
        #expect(run.move(to: 100).isEmpty, "reaching the level is not below it")
        #expect(run.move(to: 99) == [.balanceLow(level: 100, available: 99)])
        #expect(run.move(to: 50).isEmpty, "no double fire while below")
        #expect(run.move(to: 100).isEmpty, "back to the level is not above it")
        #expect(run.move(to: 60).isEmpty, "still latched")
        #expect(run.latches.firedLevels == [100])
    }

    @Test func severalLevelsInOneChangeFireOneEventNamingTheLowest() {
        var run = ThresholdRun(levels: [500, 100, 250], available: 1_000)
        #expect(run.move(to: 90) == [.balanceLow(level: 100, available: 90)])
        #expect(run.latches.firedLevels == [100, 250, 500])
        #expect(run.move(to: 10).isEmpty, "every crossed level latched")
        // Step by step instead, each level fires on its own crossing.
        var steps = ThresholdRun(levels: [500, 100, 250], available: 1_000)
        #expect(steps.move(to: 400) == [.balanceLow(level: 500, available: 400)])
        #expect(steps.move(to: 200) == [.balanceLow(level: 250, available: 200)])
        #expect(steps.move(to: 200).isEmpty)
        #expect(
            steps.move(to: 0) == [
                .balanceLow(level: 100, available: 0), .balanceDepleted(available: 0),
            ])
    }

    @Test func recoveryNeedsLevelPlusHysteresisAndRearms() {
        var run = ThresholdRun(levels: [100], hysteresis: 50, available: 200)
        #expect(run.move(to: 80) == [.balanceLow(level: 100, available: 80)])
        #expect(run.move(to: 120).isEmpty, "above the level but inside the hysteresis")
        #expect(run.move(to: 90).isEmpty, "not re-armed, so no new alert")
        #expect(run.move(to: 150).isEmpty, "level + hysteresis is not above it")
        #expect(
            run.move(to: 151) == [.balanceRecovered(levels: [100], depleted: false, available: 151)]
        )
        #expect(run.latches.firedLevels.isEmpty)
        #expect(run.move(to: 99) == [.balanceLow(level: 100, available: 99)], "re-armed")
    }

    @Test func oneRecoveryEventListsEveryRecoveredLevel() {
        var run = ThresholdRun(levels: [100, 300, 1_000], available: 2_000)
        #expect(
            run.move(to: -20) == [
                .balanceLow(level: 100, available: -20), .balanceDepleted(available: -20),
            ])
        #expect(
            run.move(to: 400) == [
                .balanceRecovered(levels: [100, 300], depleted: true, available: 400)
            ])
        #expect(run.latches.firedLevels == [1_000])
        #expect(
            run.move(to: 5_000) == [
                .balanceRecovered(levels: [1_000], depleted: false, available: 5_000)
            ])
        #expect(run.latches == ThresholdLatches())
    }

    @Test func depletedFiresOnceAndRearmsAboveTheHysteresis() {
        var run = ThresholdRun(levels: [], hysteresis: 10, available: 30)
        #expect(run.move(to: 0) == [.balanceDepleted(available: 0)])
        #expect(run.move(to: -40).isEmpty)
        #expect(run.move(to: 10).isEmpty, "0 + hysteresis is not above it")
        #expect(run.move(to: -1).isEmpty)
        #expect(run.move(to: 11) == [.balanceRecovered(levels: [], depleted: true, available: 11)])
        #expect(run.move(to: -1) == [.balanceDepleted(available: -1)])
        // Starting at 0 (a new account) is not reaching 0.
        var fresh = ThresholdRun(levels: [], available: 0)
        #expect(fresh.move(to: -5).isEmpty)
    }

    @Test func aPeriodResetRearmsWithoutWaitingForHysteresis() {
        let first = PeriodUsage(periodStartMs: 1_000, allowance: 0, used: 0)
        var run = ThresholdRun(levels: [100], hysteresis: 1_000, available: 200, period: first)
        #expect(run.move(to: 50) == [.balanceLow(level: 100, available: 50)])
        #expect(run.move(to: 0) == [.balanceDepleted(available: 0)])
        // The reset brings 120: above the level, far inside the hysteresis; no recovery event,
        // but both latches re-arm for the new period.
        run.period = PeriodUsage(periodStartMs: 2_000, allowance: 0, used: 0)
        #expect(run.move(to: 120).isEmpty)
        #expect(run.latches.firedLevels.isEmpty && !run.latches.depletedFired)
        #expect(run.move(to: 70) == [.balanceLow(level: 100, available: 70)])
        #expect(run.move(to: -3) == [.balanceDepleted(available: -3)])
    }

    @Test func aResetThatLiftsPastTheHysteresisReportsRecovery() {
        var run = ThresholdRun(
            levels: [100], available: 200,
            period: PeriodUsage(periodStartMs: 1, allowance: 0, used: 0))
        #expect(run.move(to: 20) == [.balanceLow(level: 100, available: 20)])
        run.period = PeriodUsage(periodStartMs: 2, allowance: 0, used: 0)
        #expect(
            run.move(to: 1_020) == [
                .balanceRecovered(levels: [100], depleted: false, available: 1_020)
            ])
    }

    @Test func aLevelStillAboveAfterTheResetWaitsForTheNextCrossing() {
        var run = ThresholdRun(
            levels: [100], available: 200,
            period: PeriodUsage(periodStartMs: 1, allowance: 0, used: 0))
        #expect(run.move(to: 20) == [.balanceLow(level: 100, available: 20)])
        run.period = PeriodUsage(periodStartMs: 2, allowance: 0, used: 0)
        #expect(run.move(to: 30).isEmpty, "re-armed, but no crossing happened")
        #expect(run.move(to: 10).isEmpty, "a level is about crossing, not about being low")
        #expect(run.move(to: 101) == [])
        #expect(run.move(to: 99) == [.balanceLow(level: 100, available: 99)])
    }

    @Test func removedLevelsAreForgottenAndNewOnesStartArmed() {
        var run = ThresholdRun(levels: [100, 50], available: 200)
        #expect(run.move(to: 80) == [.balanceLow(level: 100, available: 80)])
        run.policy.levels = [50, 70]
        #expect(run.move(to: 60) == [.balanceLow(level: 70, available: 60)])
        #expect(run.latches.firedLevels == [70])
    }

    @Test func latchesSurviveARestartUnchanged() {
        var run = ThresholdRun(levels: [100], available: 200)
        _ = run.move(to: 50)
        // The stored value is all the state: a restarted engine evaluating with it never re-fires.
        let restored = ThresholdLatches(
            firedLevels: run.latches.firedLevels, depletedFired: run.latches.depletedFired,
            periodStartMs: run.latches.periodStartMs,
            firedUsagePercents: run.latches.firedUsagePercents, autoTopUp: run.latches.autoTopUp)
        run.latches = restored
        #expect(run.move(to: 40).isEmpty)
    }

    @Test(arguments: [UInt64(3), 77, 2_026])
    func randomWalksNeverDoubleFire(seed: UInt64) {
        var random = planRandom(seed: seed)
        let levels = (0..<4).map { _ in Credits.random(in: -50...500, using: &random) }
        let hysteresis = Credits.random(in: 0...40, using: &random)
        var run = ThresholdRun(levels: levels, hysteresis: hysteresis, available: 300)
        var fired = Set<Credits>()
        var depleted = false
        for _ in 0..<5_000 {
            let before = run.available
            let after = before + Credits.random(in: -120...100, using: &random)
            for event in run.move(to: after) {
                switch event {
                case .balanceLow(let level, _):
                    if fired.contains(level) { Issue.record("seed \(seed): \(level) fired twice") }
                    if !(before >= level && after < level) {
                        Issue.record("seed \(seed): no crossing")
                    }
                    fired.formUnion(Set(levels).filter { before >= $0 && after < $0 })
                    if level != fired.filter({ before >= $0 && after < $0 }).min() {
                        Issue.record("seed \(seed): not the lowest crossed")
                    }
                case .balanceDepleted:
                    if depleted { Issue.record("seed \(seed): depleted twice") }
                    depleted = true
                case .balanceRecovered(let recovered, let wasDepleted, _):
                    for level in recovered {
                        if !fired.contains(level) || after <= level + hysteresis {
                            Issue.record("seed \(seed): bad recovery of \(level)")
                        }
                        fired.remove(level)
                    }
                    if wasDepleted { depleted = false }
                default: Issue.record("unexpected \(event)")
                }
            }
            #expect(Set(run.latches.firedLevels) == fired && run.latches.depletedFired == depleted)
        }
    }

    @Test func extremeValuesNeverTrap() {
        var run = ThresholdRun(levels: [.max, .min, 0], hysteresis: .max, available: .max)
        #expect(
            run.move(to: .min) == [
                .balanceLow(level: 0, available: .min), .balanceDepleted(available: .min),
            ])
        #expect(run.latches.firedLevels == [0, .max] && run.latches.depletedFired)
        // level + hysteresis saturates at Int64.max, which nothing is above: they stay latched.
        #expect(run.move(to: .max).isEmpty)
        #expect(run.move(to: 0).isEmpty)
    }
}
