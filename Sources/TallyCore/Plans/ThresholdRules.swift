/// The rules that turn a change of `available` into alerts: `balance.low`, `balance.depleted`,
/// `balance.recovered`, `usage.threshold` and `autotopup.requested`.
public enum ThresholdRules {
    /// Compares `available` before and after one change and returns the alerts it raises with
    /// the latches updated; pure and total (no input traps).
    ///
    /// In order:
    /// 1. Recovery: a fired level re-arms once `after > level + hysteresis`, and `depleted` once
    ///    `after > hysteresis`; one `balance.recovered` lists them all.
    /// 2. Period reset: when `period` starts a new period, every balance latch re-arms and the
    ///    usage alerts start over. A level that `after` is still below stays quiet until the
    ///    next downward crossing, since an alert is about crossing, not about being low.
    /// 3. `balance.low`: armed levels with `before ≥ level > after` fire and latch; one event
    ///    names the lowest of them.
    /// 4. `balance.depleted`: armed and `before > 0 ≥ after`.
    /// 5. Usage alerts: each percentage not yet fired this period whose
    ///    `ceil(allowance × percent / 100)` `used` has reached fires, ascending, one event each.
    /// 6. Auto top-up, per ``AutoTopUpRules/decide(before:after:state:policy:nowMs:)``.
    public static func evaluate(
        before: Credits, after: Credits, latches: ThresholdLatches, policy: ThresholdPolicy,
        period: PeriodUsage?, nowMs: Int64
    ) -> (events: [ThresholdEvent], latches: ThresholdLatches) {
        // This runs on every debit, so it loops over the short level lists instead of building
        // sets, and allocates only when something fires.
        var latches = latches
        var events: [ThresholdEvent] = []
        let hysteresis = max(0, policy.hysteresis)

        var recovered: [Credits] = []
        if !latches.firedLevels.isEmpty {
            // Levels the operator removed are forgotten; a level added later starts armed.
            latches.firedLevels.removeAll { !policy.levels.contains($0) }
            recovered = latches.firedLevels.filter { after > saturatingAdd($0, hysteresis) }
            latches.firedLevels.removeAll { after > saturatingAdd($0, hysteresis) }
        }
        let depletedRecovered = latches.depletedFired && after > hysteresis
        if depletedRecovered { latches.depletedFired = false }
        if !recovered.isEmpty || depletedRecovered {
            events.append(
                .balanceRecovered(
                    levels: recovered.sorted(), depleted: depletedRecovered, available: after))
        }

        if let period, period.periodStartMs != latches.periodStartMs {
            latches.periodStartMs = period.periodStartMs
            latches.firedLevels = []
            latches.depletedFired = false
            latches.firedUsagePercents = []
        }

        if after < before {
            var lowest: Credits?
            for level in policy.levels
            where before >= level && after < level && !latches.firedLevels.contains(level) {
                // Every crossed level latches, so a later drop does not report the higher ones.
                latches.firedLevels.append(level)
                lowest = min(lowest ?? level, level)
            }
            if let lowest {
                latches.firedLevels.sort()
                events.append(.balanceLow(level: lowest, available: after))
            }
            if !latches.depletedFired, before > 0, after <= 0 {
                latches.depletedFired = true
                events.append(.balanceDepleted(available: after))
            }
        }

        if let period, period.allowance > 0 {
            var reached: [Int] = []
            for percent in policy.usageAlertsPercent
            where percent > 0 && !latches.firedUsagePercents.contains(percent)
                && !reached.contains(percent)
                && period.used >= usageMark(allowance: period.allowance, percent: percent)
            {
                reached.append(percent)
            }
            if !reached.isEmpty {
                reached.sort()
                latches.firedUsagePercents = (latches.firedUsagePercents + reached).sorted()
                for percent in reached {
                    events.append(
                        .usageThreshold(
                            percent: percent, used: period.used, allowance: period.allowance,
                            periodStartMs: period.periodStartMs))
                }
            }
        }

        if let autoTopUp = policy.autoTopUp,
            case .request(let quantity, let credits) = AutoTopUpRules.decide(
                before: before, after: after, state: latches.autoTopUp, policy: autoTopUp,
                nowMs: nowMs)
        {
            latches.autoTopUp = AutoTopUpRules.recordingRequest(latches.autoTopUp, atMs: nowMs)
            events.append(
                .autoTopUpRequested(
                    pack: autoTopUp.pack, quantity: quantity, credits: credits,
                    below: autoTopUp.below, available: after))
        }
        return (events, latches)
    }

    /// Whether ``evaluate(before:after:latches:policy:period:nowMs:)`` could raise anything or
    /// change a latch; false means it would return nothing new, so the caller may skip it.
    ///
    /// It runs on every debit, so it answers from a few comparisons: something fired may
    /// recover, or the change crossed zero, a level or the auto top-up line downwards, or the
    /// period's usage reached an unfired usage alert.
    public static func mayFire(
        before: Credits, after: Credits, latches: ThresholdLatches, policy: ThresholdPolicy, period: PeriodUsage?
    ) -> Bool {
        if let period {
            if period.periodStartMs != latches.periodStartMs { return true }
            // Usage can grow while `available` stays put: a capture of exactly what was held.
            let usageReached = period.allowance > 0 && policy.usageAlertsPercent.contains { percent in
                percent > 0 && !latches.firedUsagePercents.contains(percent)
                    && period.used >= usageMark(allowance: period.allowance, percent: percent)
            }
            if usageReached { return true }
        }
        if before == after { return false }
        if !latches.firedLevels.isEmpty || latches.depletedFired { return true }
        if before > 0 && after <= 0 { return true }
        if policy.levels.contains(where: { before >= $0 && $0 > after }) { return true }
        if let autoTopUp = policy.autoTopUp, after < autoTopUp.below, after < before { return true }
        return false
    }

    /// The usage at which `percent` % of `allowance` is reached: `ceil(allowance × percent / 100)`,
    /// so 50 % of 3 credits is reached at 2, never at 1.
    public static func usageMark(allowance: Credits, percent: Int) -> Credits {
        let (product, overflow) = allowance.multipliedReportingOverflow(by: Int64(percent))
        guard !overflow else { return .max }
        return product > 0 ? (product - 1) / 100 + 1 : 0
    }
}
