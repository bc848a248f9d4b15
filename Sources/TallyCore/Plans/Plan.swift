/// A plan from the configuration: what an account on it gets each period and its defaults.
///
/// Field names follow the JSON (`rollover_cap` is ``rolloverCap``); the configuration loader
/// builds plans and reports every problem ``validate(path:)`` finds before the server starts.
public struct Plan: Sendable, Hashable {
    public var name: String
    /// Credits granted at the start of every period (0: the plan grants nothing).
    public var allowance: Credits
    public var period: PeriodUnit
    /// Unused allowance carried into the next period, at most this many; nil or 0 disables it.
    public var rolloverCap: Credits?
    /// The overdraft limit of accounts on the plan that set none of their own.
    public var overdraftLimit: Credits?
    /// Default `balance.low` levels of accounts on the plan; a level may be negative, inside the
    /// overdraft.
    public var thresholds: [Credits]?
    /// Percentages of the period allowance that fire `usage.threshold` once per period each.
    public var usageAlertsPercent: [Int]?
    public var rateLimit: RateLimit?

    /// Creates a plan.
    public init(
        name: String, allowance: Credits, period: PeriodUnit, rolloverCap: Credits? = nil,
        overdraftLimit: Credits? = nil, thresholds: [Credits]? = nil,
        usageAlertsPercent: [Int]? = nil, rateLimit: RateLimit? = nil
    ) {
        self.name = name
        self.allowance = allowance
        self.period = period
        self.rolloverCap = rolloverCap
        self.overdraftLimit = overdraftLimit
        self.thresholds = thresholds
        self.usageAlertsPercent = usageAlertsPercent
        self.rateLimit = rateLimit
    }

    /// The credits that may roll over; 0 when rollover is off.
    public var effectiveRolloverCap: Credits { max(0, rolloverCap ?? 0) }
}

/// `limit` requests per `window_seconds`, the same shape for plans and API keys.
public struct RateLimit: Sendable, Hashable, Codable {
    public var limit: Int
    public var windowSeconds: Int

    /// Creates a rate limit.
    public init(limit: Int, windowSeconds: Int) {
        self.limit = limit
        self.windowSeconds = windowSeconds
    }
}

/// One thing wrong with a configuration value: where (a dotted path) and why.
public struct PlanProblem: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let reason: String

    /// Creates a problem.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
