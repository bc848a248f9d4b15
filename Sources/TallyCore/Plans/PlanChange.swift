/// When a plan change takes effect: at the next period start (the default) or now, pro rata
/// (`"prorate": "now"`).
public enum PlanChangeTiming: String, Sendable, Hashable, CaseIterable, Codable {
    case nextPeriodStart = "next_period"
    case now
}

/// What changing an account's plan does, as values the engine turns into ledger entries.
///
/// The engine stores ``anchorMs`` with the plan, books ``takeBack`` (expire entries) and credits
/// ``grant`` at ``effectiveAtMs``; a change at the next period start has neither: the engine
/// passes the new plan to the reset at that boundary instead.
public struct PlanChange: Sendable, Hashable {
    /// The instant the new plan governs from.
    public let effectiveAtMs: Int64
    /// The anchor of the new plan's schedule.
    public let anchorMs: Int64
    /// Unused allowance taken back now: a downgrade, or the old plan's share on a unit change.
    public let takeBack: [LotExpiry]
    /// Allowance granted now (an upgrade, or the new plan's first period when the unit changes).
    public let grant: CreditRequest?

    /// Creates a plan change.
    public init(
        effectiveAtMs: Int64, anchorMs: Int64, takeBack: [LotExpiry], grant: CreditRequest?
    ) {
        self.effectiveAtMs = effectiveAtMs
        self.anchorMs = anchorMs
        self.takeBack = takeBack
        self.grant = grant
    }
}

extension PeriodRules {
    /// `allowance × (period end − fromMs) / period length`, rounded down to whole credits.
    ///
    /// Rounding down never grants a credit the customer has not fully earned; `fromMs` is clamped
    /// into the period, so the period start gives the whole allowance and its end gives 0. The
    /// product is formed in 128 bits, so no allowance or period length can overflow it.
    public static func prorated(_ allowance: Credits, period: Period, fromMs: Int64) -> Credits {
        let (lengthMs, overflow) = period.endMs.subtractingReportingOverflow(period.startMs)
        guard allowance > 0, lengthMs > 0, !overflow else { return 0 }
        let remainingMs = period.endMs - min(max(fromMs, period.startMs), period.endMs)
        let product = allowance.multipliedFullWidth(by: remainingMs)
        // The quotient is at most `allowance` because remainingMs ≤ the length: it cannot overflow.
        return lengthMs.dividingFullWidth(product).quotient
    }

    /// The effect of moving an account from `old` (nil: no plan) to `new` at `nowMs`.
    ///
    /// - From no plan, the new plan starts now: its schedule is anchored at `nowMs` and its first
    ///   allowance is granted whole.
    /// - At the next period start, nothing happens now; the new plan governs from the end of the
    ///   current period, whose reset grants the new allowance.
    /// - `now` with the same period unit keeps the anchor and settles the difference pro rata
    ///   for the rest of the current period: `floor(|new − old| × remaining / length)` credits are
    ///   granted (upgrade) or taken back from the unused allowance (downgrade). The period then
    ///   totals what a pro-rata split between the plans gives, a change to the same allowance
    ///   does nothing, and spent credits are never taken back: a downgrade takes at most what is
    ///   still unused (never creating debt).
    /// - A change of period unit re-anchors the schedule where it takes effect, as Stripe resets
    ///   the billing cycle when the interval changes: with `now`, the old plan's pro-rata share
    ///   for the rest of its period is taken back and the new plan's first full allowance is
    ///   granted, expiring one new unit later.
    ///
    /// `allowanceLots` are the account's live `allowance` lots; take-backs come from them in
    /// reverse burn-down order (the lot that would pay last gives first).
    public static func changePlan(
        from old: Plan?, to new: Plan, anchorMs: Int64, allowanceLots: [Lot], nowMs: Int64,
        timing: PlanChangeTiming
    ) -> PlanChange {
        let unchanged = PlanChange(
            effectiveAtMs: nowMs, anchorMs: anchorMs, takeBack: [], grant: nil)
        guard let old else {
            let first = PeriodSchedule(anchorMs: nowMs, unit: new.period).period(0)
            return PlanChange(
                effectiveAtMs: nowMs, anchorMs: nowMs, takeBack: [],
                grant: first.flatMap { allowanceRequest(new.allowance, period: $0) })
        }
        let oldSchedule = PeriodSchedule(anchorMs: anchorMs, unit: old.period)
        guard let current = oldSchedule.period(containing: nowMs) else { return unchanged }
        let sameUnit = old.period == new.period
        switch timing {
        case .nextPeriodStart:
            return PlanChange(
                effectiveAtMs: current.endMs, anchorMs: sameUnit ? anchorMs : current.endMs,
                takeBack: [], grant: nil)
        case .now where sameUnit:
            let upgrade = new.allowance >= old.allowance
            let magnitude =
                upgrade
                ? saturatingSubtract(new.allowance, old.allowance)
                : saturatingSubtract(old.allowance, new.allowance)
            let difference = prorated(magnitude, period: current, fromMs: nowMs)
            if upgrade {
                return PlanChange(
                    effectiveAtMs: nowMs, anchorMs: anchorMs, takeBack: [],
                    grant: allowanceRequest(difference, period: current))
            }
            return PlanChange(
                effectiveAtMs: nowMs, anchorMs: anchorMs,
                takeBack: takeBack(difference, from: allowanceLots), grant: nil)
        case .now:
            let share = prorated(old.allowance, period: current, fromMs: nowMs)
            let first = PeriodSchedule(anchorMs: nowMs, unit: new.period).period(0)
            return PlanChange(
                effectiveAtMs: nowMs, anchorMs: nowMs,
                takeBack: takeBack(share, from: allowanceLots),
                grant: first.flatMap { allowanceRequest(new.allowance, period: $0) })
        }
    }

    /// Expirations taking up to `credits` of remaining allowance, last-paying lot first.
    static func takeBack(_ credits: Credits, from lots: [Lot]) -> [LotExpiry] {
        var left = credits
        var expirations: [LotExpiry] = []
        for lot in BurnDown.sorted(lots).reversed() where left > 0 && lot.remaining > 0 {
            let take = min(left, lot.remaining)
            expirations.append(LotExpiry(lot: lot.id, credits: take))
            left -= take
        }
        return expirations
    }
}
