/// The rate limit that governs a request, and whose counter it draws on.
///
/// A key's own limit is counted per key; an account's limit and the plan default are counted per
/// account, so all of an account's keys share them.
public struct AppliedRateLimit: Sendable, Hashable {
    /// Where the limit came from, which also names the counter it is kept in.
    public enum Scope: Sendable, Hashable {
        case key
        case account
        case plan
    }

    public let rateLimit: RateLimit
    public let scope: Scope

    /// Creates an applied limit.
    public init(rateLimit: RateLimit, scope: Scope) {
        self.rateLimit = rateLimit
        self.scope = scope
    }

    /// The most specific limit set: the key's, else the account's, else the plan's; nil when
    /// none is, and the request is not limited.
    public static func resolve(key: RateLimit?, account: RateLimit?, plan: RateLimit?) -> AppliedRateLimit? {
        if let key { return AppliedRateLimit(rateLimit: key, scope: .key) }
        if let account { return AppliedRateLimit(rateLimit: account, scope: .account) }
        if let plan { return AppliedRateLimit(rateLimit: plan, scope: .plan) }
        return nil
    }
}
