import TallyCore

/// The statuses of the most recently settled holds of one account.
///
/// A capture or void looks the hold up in storage before reaching the actor, and that read can
/// predate a settlement still being committed; this remembers enough recent settlements to
/// answer such a late request with the right status, in bounded memory.
struct RecentSettlements {
    private static let capacity = 4_096
    private var statuses: [HoldID: HoldStatus] = [:]
    private var order: [HoldID] = []
    private var oldest = 0

    subscript(hold: HoldID) -> HoldStatus? { statuses[hold] }

    /// Remembers a settlement, forgetting the oldest beyond capacity.
    mutating func record(_ hold: HoldID, _ status: HoldStatus) {
        statuses[hold] = status
        if order.count < Self.capacity {
            order.append(hold)
            return
        }
        statuses[order[oldest]] = nil
        order[oldest] = hold
        oldest = (oldest + 1) % Self.capacity
    }
}
