/// The closed list of events Tally tells receivers about (DESIGN §2).
public enum EventType: String, Sendable, Hashable, CaseIterable, Codable {
    case creditsAdded = "credits.added"
    case packPurchased = "pack.purchased"
    case balanceLow = "balance.low"
    case balanceDepleted = "balance.depleted"
    case balanceRecovered = "balance.recovered"
    case usageThreshold = "usage.threshold"
    case periodReset = "period.reset"
    case creditsExpired = "credits.expired"
    case holdExpired = "hold.expired"
    case autoTopUpRequested = "autotopup.requested"
    case accountUpdated = "account.updated"
    case endpointDisabled = "endpoint.disabled"
}
