/// The rules for changing an account's settings.
public struct AccountChanges: Sendable, Hashable {
    public var status: AccountStatus?
    public var overdraftLimit: Credits?
    /// Replaces the `balance.low` levels.
    public var thresholds: [Credits]?
    /// Keys mapped to nil are removed; others are set.
    public var metadata: [String: String?]?
    public var autoTopUp: AutoTopUpChange?
    /// Sets (`.some(limit)`) or removes (`.some(nil)`) the account's own rate limit.
    public var rateLimit: RateLimit??
    /// A plan change, applied by ``changePlan(to:timing:plans:overdraftFromPlan:context:)``.
    public var plan: PlanChoice?

    /// Creates a change set; nil fields stay as they are.
    public init(
        status: AccountStatus? = nil, overdraftLimit: Credits? = nil, thresholds: [Credits]? = nil,
        metadata: [String: String?]? = nil, autoTopUp: AutoTopUpChange? = nil, plan: PlanChoice? = nil
    ) {
        self.status = status
        self.overdraftLimit = overdraftLimit
        self.thresholds = thresholds
        self.metadata = metadata
        self.autoTopUp = autoTopUp
        self.plan = plan
    }
}

/// Sets or removes an account's auto top-up.
public enum AutoTopUpChange: Sendable, Hashable {
    case set(AutoTopUpSetting)
    case remove
}

/// The plan an operator asks for and when it should take effect.
public struct PlanChoice: Sendable, Hashable {
    /// The plan's name; nil leaves the plan.
    public var name: String?
    public var timing: PlanChangeTiming

    /// Creates a choice.
    public init(name: String?, timing: PlanChangeTiming = .nextPeriodStart) {
        self.name = name
        self.timing = timing
    }
}

extension AccountState {
    /// Applies settings changes; a closed account cannot be reopened.
    public mutating func update(_ changes: AccountChanges, nowMs: Int64) throws(Rejection) {
        var account = self.account
        if let status = changes.status {
            guard account.status != .closed || status == .closed else { throw .accountClosed }
            account.status = status
        }
        if let limit = changes.overdraftLimit {
            try AccountRules.validate(overdraftLimit: limit)
            // Lowering the line below what is already drawn (debt and holds reserved against the
            // overdraft) would break invariant 3; this also keeps `available >= -limit`.
            guard limit >= debt + uncovered else { throw .invalidOverdraftLimit }
            account.overdraftLimit = limit
            account.subscription?.overdraftFromPlan = false
        }
        if let thresholds = changes.thresholds {
            try AccountRules.validate(thresholds: thresholds)
            account.thresholds = thresholds.sorted(by: >)
        }
        if let rateLimit = changes.rateLimit {
            if let rateLimit { try AccountRules.validate(rateLimit: rateLimit) }
            account.rateLimit = rateLimit
        }
        switch changes.autoTopUp {
        case .set(let setting):
            try AccountRules.validate(autoTopUp: setting)
            account.autoTopUp = setting
        case .remove: account.autoTopUp = nil
        case nil: break
        }
        if let metadata = changes.metadata {
            for (key, value) in metadata { account.metadata[key] = value }
            try AccountRules.validate(metadata: account.metadata)
        }
        account.updatedAtMs = nowMs
        self.account = account
    }
}
