public import TallyCore

/// Derives the rows to write from the entries a request produced and the state it left.
public enum StoreChanges {
    /// What the account looked like before the request, as far as rows care.
    public struct Before: Sendable {
        let account: Account
        let debt: Credits
        let holds: [HoldID: Hold]

        /// Captures what rows care about in `state`.
        public init(_ state: AccountState) {
            account = state.account
            debt = state.debt
            holds = state.holds
        }
    }

    /// The rows for `entries`; the entry with `stamp`'s id carries the request's key.
    public static func derive(
        entries: [LedgerEntry], before: Before, after state: AccountState,
        stamp: (entryID: Int64, stamp: IdempotencyStamp)? = nil
    ) -> [StoreChange] {
        let id = state.account.id
        var changes: [StoreChange] = []
        changes.reserveCapacity(entries.count * 3 + 1)
        // A request touches a handful of lots: a linear scan beats hashing into a set.
        var lotsWritten: [LotID] = []
        for entry in entries {
            let entryStamp = stamp?.entryID == entry.id ? stamp?.stamp : nil
            changes.append(.appendEntry(EntryRow(entry, account: id, stamp: entryStamp)))
            for posting in entry.postings where posting.lot != 0 && !lotsWritten.contains(posting.lot) {
                lotsWritten.append(posting.lot)
                if let lot = state.lots[posting.lot] { changes.append(.putLot(account: id, lot)) }
            }
            if let hold = holdRow(for: entry, before: before, after: state) {
                changes.append(.putHold(account: id, hold))
            }
        }
        if state.debt != before.debt || state.account != before.account {
            changes.append(.putAccount(state.account, debt: state.debt))
        }
        return changes
    }

    /// The hold row an entry creates or settles.
    private static func holdRow(for entry: LedgerEntry, before: Before, after state: AccountState) -> Hold? {
        switch entry.kind {
        case .hold:
            return entry.referenceID.flatMap { state.holds[$0] }
        case .capture, .release:
            guard let holdID = entry.referenceID, var hold = before.holds[holdID] ?? state.holds[holdID] else { return nil }
            hold.reservations = [:]
            hold.uncovered = 0
            hold.settledAtMs = entry.atMs
            if entry.kind == .capture {
                hold.status = .captured
                hold.capturedAmount = entry.debitedAmount
                hold.debitID = entry.id
            } else {
                hold.status = HoldStatus(rawValue: entry.detail ?? "") ?? .voided
            }
            return hold
        default:
            return nil
        }
    }
}
