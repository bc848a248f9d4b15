/// Checks entries before replaying them, so a damaged ledger is reported instead of trapping.
extension AccountState {
    /// Why `entry` cannot be applied to this state, or nil when it can.
    public func problem(applying entry: LedgerEntry) -> String? {
        guard entry.seq == lastSeq + 1 else { return "entry \(entry.id) has seq \(entry.seq), expected \(lastSeq + 1)" }
        var parts: [LotID: (remaining: Credits, reserved: Credits, consumed: Credits)] = [:]
        var debt = self.debt
        var uncovered = self.uncovered
        // The pending hold whose parts the entry moves, picked as `apply` picks it.
        var hold = entry.referenceID.flatMap { holds[$0] }
        if let opened = entry.openedHold {
            hold = opened
            hold?.reservations = [:]
            hold?.uncovered = 0
        }
        for posting in entry.postings {
            if posting.kind == .debt {
                debt += posting.amount
                if debt < 0 { return "entry \(entry.id) takes debt below zero" }
                continue
            }
            if posting.kind == .uncovered {
                uncovered += posting.amount
                hold?.uncovered += posting.amount
                if uncovered < 0 || (hold?.uncovered ?? 0) < 0 {
                    return "entry \(entry.id) takes uncovered holds below zero"
                }
                continue
            }
            guard posting.amount > 0 else { return "entry \(entry.id) moves a non-positive amount" }
            if let id = hold?.id, [.reserve, .unreserve, .settle, .expireReserved].contains(posting.kind) {
                let delta = posting.kind == .reserve ? posting.amount : -posting.amount
                hold?.reservations[posting.lot, default: 0] += delta
                if (hold?.reservations[posting.lot] ?? 0) < 0 {
                    return "entry \(entry.id) releases more than hold \(id) reserved"
                }
            }
            if posting.kind == .open {
                guard entry.openedLot?.id == posting.lot else { return "entry \(entry.id) opens an unknown lot" }
                parts[posting.lot] = (posting.amount, 0, 0)
                continue
            }
            guard let lot = lots[posting.lot] else { return "entry \(entry.id) moves unknown lot \(posting.lot)" }
            var part = parts[posting.lot] ?? (lot.remaining, lot.reserved, lot.consumed)
            switch posting.kind {
            case .consume, .reserve, .expire: part.remaining -= posting.amount
            case .unreserve, .settle, .expireReserved: part.reserved -= posting.amount
            case .unconsume, .unconsumeExpired: part.consumed -= posting.amount
            case .open, .debt, .uncovered: break
            }
            switch posting.kind {
            case .reserve: part.reserved += posting.amount
            case .unreserve, .unconsume: part.remaining += posting.amount
            case .consume, .settle: part.consumed += posting.amount
            default: break
            }
            if part.remaining < 0 || part.reserved < 0 || part.consumed < 0 {
                return "entry \(entry.id) overdraws lot \(posting.lot)"
            }
            parts[posting.lot] = part
        }
        if entry.kind == .capture || entry.kind == .release, let hold, hold.held != 0 {
            return "entry \(entry.id) settles hold \(hold.id) but leaves \(hold.held) held"
        }
        return nil
    }
}
