/// The rule that moves an account onto, between and off plans.
extension AccountState {
    /// Changes the account's plan to `name` (nil: no plan) with `timing`.
    ///
    /// - With no plan yet, the new plan starts now whatever the timing: its schedule is anchored
    ///   now and the first allowance granted whole. `overdraftFromPlan` says whether the account
    ///   takes the plan's overdraft limit (it set none of its own).
    /// - At the next period start (the default), the change is only scheduled; choosing the
    ///   current plan again cancels a scheduled change.
    /// - `now` settles the rest of the running period pro rata (``PeriodRules/changePlan``);
    ///   leaving the plan now takes back the rest-of-period share of its allowance.
    ///
    /// Returns the entries and, when a period began, its start.
    public mutating func changePlan<IDs>(
        to name: String?, timing: PlanChangeTiming, plans: [String: Plan], overdraftFromPlan: Bool,
        context: inout RuleContext<IDs>
    ) throws(Rejection) -> (entries: [LedgerEntry], start: AppliedPeriodStart?) {
        guard account.status != .closed else { throw .accountClosed }
        var plan: Plan?
        if let name {
            guard let found = plans[name] else { throw .unknownPlan }
            plan = found
        }
        guard let current = account.subscription else {
            guard let plan else { return ([], nil) }
            return begin(plan, overdraftFromPlan: overdraftFromPlan, context: &context)
        }
        switch timing {
        case .nextPeriodStart:
            account.subscription?.scheduledChange = name == current.plan ? nil : ScheduledPlanChange(plan: name)
            return ([], nil)
        case .now:
            guard let plan else { return (leave(current, context: &context), nil) }
            return switchNow(from: current, to: plan, context: &context)
        }
    }

    /// Starts `plan` now, from no plan.
    private mutating func begin<IDs>(
        _ plan: Plan, overdraftFromPlan: Bool, context: inout RuleContext<IDs>
    ) -> (entries: [LedgerEntry], start: AppliedPeriodStart?) {
        let nowMs = context.nowMs
        guard let period = PeriodSchedule(anchorMs: nowMs, unit: plan.period).period(0) else { return ([], nil) }
        let grant = PeriodRules.allowanceRequest(plan.allowance, period: period)
        let entry = grant.flatMap { try? credit($0, context: &context) }
        account.subscription = PlanSubscription(
            plan: plan, anchorMs: nowMs, period: period, periodStartSeq: lastSeq, overdraftFromPlan: overdraftFromPlan)
        periodUsed = 0
        followPlanOverdraft(plan)
        let start = AppliedPeriodStart(
            plan: plan.name, period: period, allowance: entry == nil ? 0 : grant?.amount ?? 0, rollover: 0, expired: 0)
        return (entry.map { [$0] } ?? [], start)
    }

    /// Leaves the plan now: the allowance for the rest of the period is taken back.
    private mutating func leave<IDs>(_ current: PlanSubscription, context: inout RuleContext<IDs>) -> [LedgerEntry] {
        let share = PeriodRules.prorated(current.allowance, period: current.period, fromMs: context.nowMs)
        let entries = bookExpirations(PeriodRules.takeBack(share, from: liveAllowanceLots), context: &context)
        if current.overdraftFromPlan { account.overdraftLimit = debt + uncovered }
        account.subscription = nil
        return entries
    }

    /// Moves to `plan` now, pro rata for the rest of the running period.
    private mutating func switchNow<IDs>(
        from current: PlanSubscription, to plan: Plan, context: inout RuleContext<IDs>
    ) -> (entries: [LedgerEntry], start: AppliedPeriodStart?) {
        let change = PeriodRules.changePlan(
            from: current.lastKnownPlan, to: plan, anchorMs: current.anchorMs, allowanceLots: liveAllowanceLots,
            nowMs: context.nowMs, timing: .now)
        var entries = bookExpirations(change.takeBack, context: &context)
        let granted = change.grant.flatMap { try? credit($0, context: &context) }
        entries += granted.map { [$0] } ?? []
        guard plan.period != current.unit, let period = PeriodSchedule(anchorMs: change.anchorMs, unit: plan.period).period(0)
        else {
            // Same unit: the running period continues under the new plan's terms.
            account.subscription?.plan = plan.name
            account.subscription?.allowance = plan.allowance
            account.subscription?.rolloverCap = plan.effectiveRolloverCap
            account.subscription?.scheduledChange = nil
            followPlanOverdraft(plan)
            return (entries, nil)
        }
        adopt(plan, anchorMs: change.anchorMs, period: period, previous: current)
        let start = AppliedPeriodStart(
            plan: plan.name, period: period, allowance: granted == nil ? 0 : change.grant?.amount ?? 0, rollover: 0,
            expired: 0)
        return (entries, start)
    }

    /// The live lots of source `allowance`.
    var liveAllowanceLots: [Lot] { liveLots.filter { $0.source == .allowance } }
}
