/// A period start the rules applied: what it granted, carried over and expired.
public struct AppliedPeriodStart: Sendable, Hashable {
    public let plan: String
    public let period: Period
    /// Allowance credited (debt is repaid from it first).
    public let allowance: Credits
    public let rollover: Credits
    /// The previous allowance and rollover credits booked as expired at the start.
    public let expired: Credits
}

/// The rules that start plan periods: lazily on every access, and from the scheduler.
extension AccountState {
    /// Whether the running period has ended by `nowMs`.
    public func hasPeriodStartDue(atMs nowMs: Int64) -> Bool {
        account.subscription.map { $0.periodEndMs <= nowMs } ?? false
    }

    /// Starts every period that began by `context.nowMs`, oldest first, each at its own instant.
    ///
    /// Before each start, whatever expired earlier is booked (at the instant just before it), so
    /// the start finds the allowance and rollover lots as they stood and can carry the unused
    /// allowance over before the expiry rule would book it as breakage. A scheduled plan change
    /// takes effect at the start it waited for. At most `limit` starts are applied; the rest
    /// stay due for the next access.
    public mutating func startDuePeriods<IDs>(
        plans: [String: Plan], context: inout RuleContext<IDs>,
        limit: Int = PeriodSchedule.maxCrossedStarts
    ) -> (entries: [LedgerEntry], starts: [AppliedPeriodStart]) {
        var entries: [LedgerEntry] = []
        var starts: [AppliedPeriodStart] = []
        while starts.count < limit, let subscription = account.subscription,
            subscription.periodEndMs <= context.nowMs
        {
            let boundary = subscription.periodEndMs
            var before = RuleContext(nowMs: boundary - 1, ids: context.ids)
            entries += expire(context: &before)
            var at = RuleContext(nowMs: boundary, ids: before.ids)
            defer { context.ids = at.ids }
            guard account.status != .closed, let plan = planFrom(boundary: boundary, plans: plans) else {
                account.subscription = nil
                break
            }
            let (startEntries, start) = start(plan, at: boundary, from: subscription, context: &at)
            entries += startEntries
            guard let start else { break }
            starts.append(start)
        }
        return (entries, starts)
    }

    /// The plan that governs from `boundary`: a scheduled change's, else the current one; nil
    /// when the account leaves its plan there.
    private func planFrom(boundary: Int64, plans: [String: Plan]) -> Plan? {
        guard let subscription = account.subscription else { return nil }
        guard let change = subscription.scheduledChange else { return subscription.terms(in: plans) }
        guard let name = change.plan else { return nil }
        // A plan removed from the configuration since the change was scheduled: stay put.
        return plans[name] ?? subscription.terms(in: plans)
    }

    /// Applies one period start of `plan` at `boundary`.
    private mutating func start<IDs>(
        _ plan: Plan, at boundary: Int64, from old: PlanSubscription, context: inout RuleContext<IDs>
    ) -> ([LedgerEntry], AppliedPeriodStart?) {
        let anchor = plan.period == old.unit ? old.anchorMs : boundary
        guard let next = PeriodSchedule(anchorMs: anchor, unit: plan.period).period(containing: boundary),
            next.endMs > boundary
        else {
            account.subscription = nil  // bounds past the year 292 million: nothing sensible to do
            return ([], nil)
        }
        let period = Period(index: next.index, startMs: boundary, endMs: next.endMs)
        let ending = liveLots.filter { lot in
            (lot.source == .allowance || lot.source == .rollover) && (lot.expiresAtMs ?? .max) <= boundary
        }
        let reset = PeriodRules.reset(
            allowanceLots: ending.filter { $0.source == .allowance },
            rolloverLots: ending.filter { $0.source == .rollover }, plan: plan, period: period)
        var entries = bookExpirations(reset.expirations, context: &context)
        // A credit is refused only on overflow past 10^15 in the account: the period still starts.
        let rollover = reset.rollover.flatMap { try? credit($0, context: &context) }
        let allowance = reset.allowance.flatMap { try? credit($0, context: &context) }
        entries += [rollover, allowance].compactMap { $0 }
        adopt(plan, anchorMs: anchor, period: period, previous: old)
        let start = AppliedPeriodStart(
            plan: plan.name, period: period, allowance: allowance == nil ? 0 : reset.allowance?.amount ?? 0,
            rollover: rollover == nil ? 0 : reset.rolledOverCredits, expired: reset.expiredCredits)
        return (entries, start)
    }

    /// Puts the account on `plan` for `period`, with usage counted from now.
    mutating func adopt(_ plan: Plan, anchorMs: Int64, period: Period, previous: PlanSubscription?) {
        let overdraftFromPlan = previous?.overdraftFromPlan ?? false
        account.subscription = PlanSubscription(
            plan: plan, anchorMs: anchorMs, period: period, periodStartSeq: lastSeq,
            overdraftFromPlan: overdraftFromPlan)
        periodUsed = 0
        followPlanOverdraft(plan)
    }

    /// Sets the plan's overdraft limit when the account takes its plan's, never below what is
    /// already drawn against the overdraft (invariant 3).
    mutating func followPlanOverdraft(_ plan: Plan) {
        guard account.subscription?.overdraftFromPlan == true else { return }
        account.overdraftLimit = max(plan.overdraftLimit ?? 0, debt + uncovered)
    }

    /// Books `credits` of each lot's remaining as expired, one entry per lot.
    mutating func bookExpirations<IDs>(_ expirations: [LotExpiry], context: inout RuleContext<IDs>) -> [LedgerEntry] {
        expirations.compactMap { expiration in
            guard let lot = lots[expiration.lot] else { return nil }
            return expireEntry(lot, credits: min(expiration.credits, lot.remaining), context: &context)
        }
    }

    /// The entry booking `credits` of `lot`'s remaining as expired; nil when there is nothing.
    mutating func expireEntry<IDs>(_ lot: Lot, credits: Credits, context: inout RuleContext<IDs>) -> LedgerEntry? {
        guard credits > 0 else { return nil }
        let draft = EntryDraft(
            id: context.ids.next(), kind: .expire, postings: [Posting(.expire, lot: lot.id, credits)],
            referenceID: lot.id, detail: lot.source.rawValue)
        return record(draft, atMs: context.nowMs)
    }
}
