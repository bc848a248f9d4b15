// The reference model's plans and alerts, written from DESIGN §2 (plan and period, thresholds,
// usage alerts) without TallyCore's rules: fixed-length periods from the anchor, the allowance
// and capped rollover at each start, and alerts compared before and after each request.
import TallyCore

/// A plan with a fixed period length, as the simulation's accounts have.
struct ReferencePlan {
    let lengthMs: Int64
    let allowance: Int64
    let rolloverCap: Int64
    let usagePercents: [Int]
    var periodStart: Int64
    var periodEnd: Int64
}

/// Balance and usage alerts as DESIGN §2 states them; `expected` collects the events a receiver
/// must see, in order, as text.
struct ReferenceAlerts {
    let levels: [Int64]
    var fired: Set<Int64> = []
    var depletedFired = false
    var firedPercents: Set<Int> = []
    var periodStart: Int64?
    /// `available` when alerts were last evaluated.
    var lastAvailable: Int64 = 0
    var waiting: [String] = []
    var expected: [String] = []

    init(levels: [Int64]) { self.levels = levels }
}

extension ReferenceWallet {
    /// Puts the wallet on `plan` from `now`: the first allowance, and its `period.reset`.
    mutating func subscribe(lengthMs: Int64, allowance: Int64, rolloverCap: Int64, usagePercents: [Int], now: Int64) {
        subscription = ReferencePlan(
            lengthMs: lengthMs, allowance: allowance, rolloverCap: rolloverCap, usagePercents: usagePercents,
            periodStart: now, periodEnd: now + lengthMs)
        _ = open(allowance, source: .allowance, priority: 0, expiresAt: now + lengthMs, now: now)
        alerts.waiting.append("period.reset \(now) \(allowance) 0 0")
    }

    /// Starts the period at `start`: the old allowance and rollover expire, up to the cap of the
    /// unused allowance rolls into a lot for one period, and the new allowance arrives.
    mutating func startPeriod(at start: Int64) {
        guard var plan = subscription else { return }
        var expired: Int64 = 0
        var unused: Int64 = 0
        for index in parcels.indices where parcels[index].remaining > 0 && (parcels[index].expiresAt ?? .max) <= start {
            let source = parcels[index].source
            guard source == .allowance || source == .rollover else { continue }
            expired += parcels[index].remaining
            if source == .allowance { unused += parcels[index].remaining }
            parcels[index].expired += parcels[index].remaining
            parcels[index].remaining = 0
        }
        let end = start + plan.lengthMs
        let carried = min(unused, plan.rolloverCap)
        if carried > 0 { _ = open(carried, source: .rollover, priority: 0, expiresAt: end, now: start) }
        _ = open(plan.allowance, source: .allowance, priority: 0, expiresAt: end, now: start)
        plan.periodStart = start
        plan.periodEnd = end
        subscription = plan
        used = 0
        alerts.waiting.append("period.reset \(start) \(plan.allowance) \(carried) \(expired)")
    }

    /// Evaluates the alerts for the change of `available` since the last evaluation, as one
    /// request of the engine does.
    mutating func settleAlerts() {
        let before = alerts.lastAvailable
        let after = available
        alerts.expected += alerts.waiting
        alerts.waiting = []
        let recovered = alerts.fired.filter { after > $0 }.sorted()
        let depletedBack = alerts.depletedFired && after > 0
        alerts.fired.subtract(recovered)
        if depletedBack { alerts.depletedFired = false }
        if !recovered.isEmpty || depletedBack { alerts.expected.append("balance.recovered \(recovered) \(depletedBack)") }
        if let plan = subscription, plan.periodStart != alerts.periodStart {
            alerts.periodStart = plan.periodStart
            alerts.fired = []
            alerts.depletedFired = false
            alerts.firedPercents = []
        }
        if after < before {
            let crossed = alerts.levels.filter { before >= $0 && after < $0 && !alerts.fired.contains($0) }
            if let lowest = crossed.min() {
                alerts.fired.formUnion(crossed)
                alerts.expected.append("balance.low \(lowest)")
            }
            if !alerts.depletedFired, before > 0, after <= 0 {
                alerts.depletedFired = true
                alerts.expected.append("balance.depleted")
            }
        }
        if let plan = subscription, plan.allowance > 0 {
            for percent in plan.usagePercents.sorted()
            where !alerts.firedPercents.contains(percent) && max(0, used) * 100 >= plan.allowance * Int64(percent) {
                alerts.firedPercents.insert(percent)
                alerts.expected.append("usage.threshold \(percent)")
            }
        }
        alerts.lastAvailable = after
    }
}
