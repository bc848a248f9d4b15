/// The armed or fired state of an account's alerts, stored durably with the account so that a
/// restart never fires an alert twice nor forgets one.
///
/// It starts with everything armed; only the threshold rules' `evaluate` and
/// ``recordPackArrival()`` change it.
public struct ThresholdLatches: Sendable, Hashable, Codable {
    /// `balance.low` levels that fired and have not re-armed, ascending.
    public var firedLevels: [Credits]
    /// Whether `balance.depleted` fired and has not re-armed.
    public var depletedFired: Bool
    /// The start of the period the usage alerts below belong to; nil before any plan period.
    public var periodStartMs: Int64?
    /// Usage alert percentages already fired this period, ascending.
    public var firedUsagePercents: [Int]
    public var autoTopUp: AutoTopUpState

    /// Creates latches with everything armed.
    public init(
        firedLevels: [Credits] = [], depletedFired: Bool = false, periodStartMs: Int64? = nil,
        firedUsagePercents: [Int] = [], autoTopUp: AutoTopUpState = AutoTopUpState()
    ) {
        self.firedLevels = firedLevels
        self.depletedFired = depletedFired
        self.periodStartMs = periodStartMs
        self.firedUsagePercents = firedUsagePercents
        self.autoTopUp = autoTopUp
    }

    /// Ends the auto top-up request in flight: the engine calls it when the pack arrives.
    public mutating func recordPackArrival() {
        autoTopUp.inFlightSinceMs = nil
    }
}

/// The auto top-up requests made so far, which the safety rules consult.
public struct AutoTopUpState: Sendable, Hashable, Codable {
    /// When the request in flight was made; nil when none is.
    public var inFlightSinceMs: Int64?
    /// When the last request was made, for the cooldown.
    public var lastRequestAtMs: Int64?
    /// The calendar month (``UTCDateTime/monthNumber``) `requestsThisMonth` counts.
    public var month: Int64?
    public var requestsThisMonth: Int

    /// Creates a state; the default has made no request.
    public init(
        inFlightSinceMs: Int64? = nil, lastRequestAtMs: Int64? = nil, month: Int64? = nil,
        requestsThisMonth: Int = 0
    ) {
        self.inFlightSinceMs = inFlightSinceMs
        self.lastRequestAtMs = lastRequestAtMs
        self.month = month
        self.requestsThisMonth = requestsThisMonth
    }
}
