/// Supplies fresh ids for the entries, lots and holds a rule creates.
///
/// Ids come from one sequence for the whole database, so an id names exactly one thing.
public protocol IDSource {
    /// Returns an id never returned before.
    mutating func next() -> Int64
}

/// What a rule needs beyond the account: the instant it runs at and where ids come from.
public struct RuleContext<IDs: IDSource> {
    public let nowMs: Int64
    public var ids: IDs

    /// Creates a context.
    public init(nowMs: Int64, ids: IDs) {
        self.nowMs = nowMs
        self.ids = ids
    }
}

/// The fields of an entry that a rule chooses; the recorder adds ids, sequence and amounts.
struct EntryDraft {
    var id: Int64
    var kind: EntryKind
    var postings: [Posting] = []
    var referenceID: Int64?
    var detail: String?
    var openedLot: Lot?
    var openedHold: Hold?
    var operation: String?
    var quantity: Int64?
    var metadata: [String: String] = [:]
}

extension AccountState {
    /// Applies a drafted entry and returns it with its sequence number and available change.
    mutating func record(_ draft: EntryDraft, atMs: Int64) -> LedgerEntry {
        let before = available
        let provisional = LedgerEntry(
            id: draft.id, seq: lastSeq + 1, atMs: atMs, kind: draft.kind, amount: 0,
            availableAfter: 0, postings: draft.postings, referenceID: draft.referenceID,
            detail: draft.detail, openedLot: draft.openedLot, openedHold: draft.openedHold,
            operation: draft.operation, metadata: draft.metadata, quantity: draft.quantity)
        apply(provisional)
        let after = available
        return LedgerEntry(
            id: draft.id, seq: provisional.seq, atMs: atMs, kind: draft.kind,
            amount: after - before, availableAfter: after, postings: draft.postings,
            referenceID: draft.referenceID, detail: draft.detail, openedLot: draft.openedLot,
            openedHold: draft.openedHold, operation: draft.operation, metadata: draft.metadata,
            quantity: draft.quantity)
    }

    /// Checks that a charge of `cost` keeps `available` at or above `-overdraft_limit`.
    func checkCanCharge(_ cost: Credits) throws(Rejection) {
        guard available - cost >= -account.overdraftLimit else {
            throw .insufficientCredits(available: available, requested: cost)
        }
    }

    /// Draws `amount` from live lots in burn-down order, as postings of `kind`.
    ///
    /// Returns the postings and what the lots could not cover.
    func draw(_ amount: Credits, as kind: Posting.Kind) -> (postings: [Posting], short: Credits) {
        var left = amount
        var postings: [Posting] = []
        for lotID in liveLotOrder where left > 0 {
            guard let lot = lots[lotID], lot.remaining > 0 else { continue }
            let take = min(lot.remaining, left)
            postings.append(Posting(kind, lot: lotID, take))
            left -= take
        }
        return (postings, left)
    }
}
