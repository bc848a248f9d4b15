/// What an account watches on its balance: `balance.low` levels, usage alerts and auto top-up.
///
/// It is the account's settings merged with its plan's defaults; the rules read it and never
/// store it (the latches are what is stored).
public struct ThresholdPolicy: Sendable, Hashable {
    /// `balance.low` levels; order and repeats do not matter.
    public var levels: [Credits]
    /// How far above a level `available` must rise before the level re-arms (config, default 0).
    public var hysteresis: Credits
    /// Percentages of the period allowance that fire `usage.threshold` once per period each.
    public var usageAlertsPercent: [Int]
    public var autoTopUp: AutoTopUpPolicy?

    /// Creates a policy.
    public init(
        levels: [Credits] = [], hysteresis: Credits = 0, usageAlertsPercent: [Int] = [],
        autoTopUp: AutoTopUpPolicy? = nil
    ) {
        self.levels = levels
        self.hysteresis = hysteresis
        self.usageAlertsPercent = usageAlertsPercent
        self.autoTopUp = autoTopUp
    }
}

/// An account's auto top-up: `{below, pack, monthly_cap?}` plus the engine's safety timings.
public struct AutoTopUpPolicy: Sendable, Hashable {
    /// How long a request stays in flight when no pack arrives: one hour.
    public static let defaultInFlightTimeoutMs: Int64 = 3_600_000
    /// The least time between two requests: ten minutes.
    public static let defaultCooldownMs: Int64 = 600_000

    /// A request fires when `available` falls below this.
    public var below: Credits
    /// The catalog name of the pack the operator's receiver buys.
    public var pack: String
    /// The credits one pack adds, from the catalog; quantities are counted in packs.
    public var packCredits: Credits
    /// The most requests per calendar month (UTC); nil for no cap.
    public var monthlyCap: Int?
    /// A request without a pack arriving blocks new ones for this long.
    public var inFlightTimeoutMs: Int64
    /// Two requests are at least this far apart, even when the pack came quickly.
    public var cooldownMs: Int64

    /// Creates an auto top-up policy.
    public init(
        below: Credits, pack: String, packCredits: Credits, monthlyCap: Int? = nil,
        inFlightTimeoutMs: Int64 = AutoTopUpPolicy.defaultInFlightTimeoutMs,
        cooldownMs: Int64 = AutoTopUpPolicy.defaultCooldownMs
    ) {
        self.below = below
        self.pack = pack
        self.packCredits = packCredits
        self.monthlyCap = monthlyCap
        self.inFlightTimeoutMs = inFlightTimeoutMs
        self.cooldownMs = cooldownMs
    }

    /// Every problem with the policy, each with its path under `path` (e.g. `auto_topup`).
    public func validate(path: String = "") -> [PlanProblem] {
        func at(_ field: String) -> String { path.isEmpty ? field : "\(path).\(field)" }
        var problems: [PlanProblem] = []
        if !Limits.amount.contains(below) {
            problems.append(PlanProblem(path: at("below"), reason: "must be \(Limits.amount.text)"))
        }
        if pack.isEmpty {
            problems.append(PlanProblem(path: at("pack"), reason: "must name a pack"))
        }
        if !Limits.amount.contains(packCredits) {
            problems.append(PlanProblem(path: at("pack"), reason: "the pack must add \(Limits.amount.text) credits"))
        }
        if let monthlyCap, !Limits.autoTopUpMonthlyCap.contains(monthlyCap) {
            problems.append(PlanProblem(path: at("monthly_cap"), reason: "must be \(Limits.autoTopUpMonthlyCap.text)"))
        }
        if inFlightTimeoutMs < 1 {
            problems.append(PlanProblem(path: at("in_flight_timeout"), reason: "must be positive"))
        }
        if cooldownMs < 0 {
            problems.append(PlanProblem(path: at("cooldown"), reason: "must not be negative"))
        }
        return problems
    }
}

/// The current period's allowance and usage, as the engine counts them, for usage alerts and
/// the reset re-arm.
public struct PeriodUsage: Sendable, Hashable {
    /// Identifies the period: a different start means a new period began.
    public let periodStartMs: Int64
    public let allowance: Credits
    /// Credits used in the period so far (the engine's count: debits net of refunds).
    public let used: Credits

    /// Creates a usage reading.
    public init(periodStartMs: Int64, allowance: Credits, used: Credits) {
        self.periodStartMs = periodStartMs
        self.allowance = allowance
        self.used = used
    }
}

/// The operator's alert settings from the configuration, the same for every account.
public struct AlertSettings: Sendable, Hashable {
    /// How far above a level `available` must rise before the level re-arms.
    public var hysteresis: Credits
    /// The least time between two auto top-up requests of one account.
    public var autoTopUpCooldownMs: Int64
    /// How long a request without its pack blocks the next one.
    public var autoTopUpTimeoutMs: Int64

    /// Creates settings; the defaults are no hysteresis, a ten-minute cooldown and a one-hour timeout.
    public init(
        hysteresis: Credits = 0, autoTopUpCooldownMs: Int64 = AutoTopUpPolicy.defaultCooldownMs,
        autoTopUpTimeoutMs: Int64 = AutoTopUpPolicy.defaultInFlightTimeoutMs
    ) {
        self.hysteresis = hysteresis
        self.autoTopUpCooldownMs = autoTopUpCooldownMs
        self.autoTopUpTimeoutMs = autoTopUpTimeoutMs
    }
}
