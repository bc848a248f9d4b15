/// An alert the threshold rules raise; the engine writes each as an event row in the same
/// transaction as the change that caused it.
public enum ThresholdEvent: Sendable, Hashable {
    /// `available` fell below `level` (the lowest level this change crossed).
    case balanceLow(level: Credits, available: Credits)
    /// `available` reached 0 or less.
    case balanceDepleted(available: Credits)
    /// `available` rose above these levels plus the hysteresis (and above the hysteresis for
    /// `depleted`): they are armed again. One event lists all of them.
    case balanceRecovered(levels: [Credits], depleted: Bool, available: Credits)
    /// `used` reached `percent` % of the period's allowance.
    case usageThreshold(percent: Int, used: Credits, allowance: Credits, periodStartMs: Int64)
    /// The operator's receiver should charge for `quantity` packs and then buy them.
    case autoTopUpRequested(
        pack: String, quantity: Int64, credits: Credits, below: Credits, available: Credits)

    /// The event type, as in the event catalog.
    public var type: String {
        switch self {
        case .balanceLow: "balance.low"
        case .balanceDepleted: "balance.depleted"
        case .balanceRecovered: "balance.recovered"
        case .usageThreshold: "usage.threshold"
        case .autoTopUpRequested: "autotopup.requested"
        }
    }
}
