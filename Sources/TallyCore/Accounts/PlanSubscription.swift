/// An account's place on a plan: which plan, where its periods are anchored and the period now
/// running.
///
/// The period's bounds and allowance are kept here rather than recomputed from the catalog, so
/// an account still shows and resets its period correctly while the configuration changes, and
/// the scheduler can find the next reset from one stored column.
public struct PlanSubscription: Sendable, Hashable, Codable {
    public var plan: String
    /// The plan's terms when the period began, used when the plan has left the configuration.
    public var unit: PeriodUnit
    public var rolloverCap: Credits
    /// Period `n` starts `n` units after this instant.
    public var anchorMs: Int64
    /// The running period's number in the schedule from the anchor (0 is the first).
    public var periodIndex: Int64
    public var periodStartMs: Int64
    /// The next reset: the start of the following period.
    public var periodEndMs: Int64
    /// The allowance of the running period, which usage alerts measure against.
    public var allowance: Credits
    /// The account's last ledger sequence when the period began; usage counts entries after it.
    public var periodStartSeq: Int64
    /// A change that takes effect at `periodEndMs`.
    public var scheduledChange: ScheduledPlanChange?
    /// Whether the account's overdraft limit is the plan's default (it set none of its own).
    public var overdraftFromPlan: Bool

    /// Creates a subscription.
    public init(
        plan: Plan, anchorMs: Int64, period: Period, periodStartSeq: Int64,
        scheduledChange: ScheduledPlanChange? = nil, overdraftFromPlan: Bool = false
    ) {
        self.plan = plan.name
        self.unit = plan.period
        self.rolloverCap = plan.effectiveRolloverCap
        self.allowance = plan.allowance
        self.anchorMs = anchorMs
        self.periodIndex = period.index
        self.periodStartMs = period.startMs
        self.periodEndMs = period.endMs
        self.periodStartSeq = periodStartSeq
        self.scheduledChange = scheduledChange
        self.overdraftFromPlan = overdraftFromPlan
    }
}

extension PlanSubscription {
    /// The running period.
    public var period: Period { Period(index: periodIndex, startMs: periodStartMs, endMs: periodEndMs) }

    /// The plan as the account last had it: what governs when the configuration no longer
    /// names the plan, so its accounts keep resetting on the terms they knew.
    public var lastKnownPlan: Plan {
        Plan(name: plan, allowance: allowance, period: unit, rolloverCap: rolloverCap)
    }

    /// The plan's current terms from `plans`, else the last known ones.
    public func terms(in plans: [String: Plan]) -> Plan { plans[plan] ?? lastKnownPlan }
}

/// A plan change waiting for the end of the running period.
public struct ScheduledPlanChange: Sendable, Hashable, Codable {
    /// The plan that governs from the next period; nil ends the plan there.
    public var plan: String?

    /// Creates a scheduled change to `plan` (nil: leave the plan).
    public init(plan: String?) {
        self.plan = plan
    }
}

/// An account's own auto top-up: `{below, pack, monthly_cap?}`.
public struct AutoTopUpSetting: Sendable, Hashable, Codable {
    /// A request fires when `available` falls below this.
    public var below: Credits
    /// The catalog pack the operator's receiver buys.
    public var pack: String
    /// The most requests per calendar month (UTC); nil for no cap.
    public var monthlyCap: Int?

    /// Creates a setting.
    public init(below: Credits, pack: String, monthlyCap: Int? = nil) {
        self.below = below
        self.pack = pack
        self.monthlyCap = monthlyCap
    }
}
