/// The rules for changing an account's settings.
public struct AccountChanges: Sendable, Hashable {
    public var status: AccountStatus?
    public var overdraftLimit: Credits?
    /// Replaces the `balance.low` levels.
    public var thresholds: [Credits]?
    /// Keys mapped to nil are removed; others are set.
    public var metadata: [String: String?]?

    /// Creates a change set; nil fields stay as they are.
    public init(
        status: AccountStatus? = nil, overdraftLimit: Credits? = nil, thresholds: [Credits]? = nil,
        metadata: [String: String?]? = nil
    ) {
        self.status = status
        self.overdraftLimit = overdraftLimit
        self.thresholds = thresholds
        self.metadata = metadata
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
        }
        if let thresholds = changes.thresholds {
            try AccountRules.validate(thresholds: thresholds)
            account.thresholds = thresholds.sorted(by: >)
        }
        if let metadata = changes.metadata {
            for (key, value) in metadata { account.metadata[key] = value }
            try AccountRules.validate(metadata: account.metadata)
        }
        account.updatedAtMs = nowMs
        self.account = account
    }
}
