/// The single total order in which lots pay: debits, holds and captures walk it forwards,
/// refunds and releases walk it backwards.
public enum BurnDown {
    /// Whether `lhs` pays before `rhs`.
    ///
    /// Priority ascending, then expiry ascending with never-expiring lots last, then promotional
    /// before paid, then creation time, then id, so no two lots ever tie.
    public static func paysBefore(_ lhs: Lot, _ rhs: Lot) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority < rhs.priority }
        switch (lhs.expiresAtMs, rhs.expiresAtMs) {
        case let (left?, right?) where left != right: return left < right
        case (.some, nil): return true
        case (nil, .some): return false
        default: break
        }
        if lhs.source.isPromotional != rhs.source.isPromotional { return lhs.source.isPromotional }
        if lhs.createdAtMs != rhs.createdAtMs { return lhs.createdAtMs < rhs.createdAtMs }
        return lhs.id < rhs.id
    }

    /// Sorts lots into burn-down order.
    public static func sorted(_ lots: some Sequence<Lot>) -> [Lot] {
        lots.sorted(by: paysBefore)
    }
}
