/// Everything the rules need to decide a change to one account: settings, lots, holds, debt.
///
/// It is a value: the engine's account actor owns one, and `tally verify` rebuilds one by
/// replaying the ledger.
public struct AccountState: Sendable, Hashable {
    public var account: Account
    public private(set) var lots: [LotID: Lot]
    /// The ids of lots that still have remaining or reserved credits, in burn-down order.
    public private(set) var liveLotOrder: [LotID]
    /// Pending holds only; settled holds live in storage.
    public private(set) var holds: [HoldID: Hold]
    /// Σ remaining of all lots (a spent lot has none), kept as postings move credits: summing
    /// the live lots on every read made `available` cost one lookup per live lot, and replaying
    /// a ledger (`tally verify`) reads it for every entry.
    public private(set) var credits: Credits = 0
    public private(set) var debt: Credits
    /// Hold parts reserved against the overdraft.
    public private(set) var uncovered: Credits
    /// The last ledger sequence number used.
    public var lastSeq: Int64
    /// Which balance alerts fired and have not re-armed; stored with the account.
    public var latches = ThresholdLatches()
    /// Credits used in the plan's running period (debits net of refunds); the store loads it
    /// by summing the entries after the period's start and the rules keep it current.
    public var periodUsed: Credits = 0
    /// No hold or lot expires before this instant (nil: nothing can expire); lets the hot path
    /// skip the expiry scan.
    public internal(set) var earliestExpiryMs: Int64?

    /// Creates the state of an account with no lots, as at creation.
    public init(account: Account) {
        self.init(account: account, lots: [], holds: [], debt: 0, lastSeq: 0)
    }

    /// Creates a state from stored parts.
    public init(account: Account, lots: [Lot], holds: [Hold], debt: Credits, lastSeq: Int64) {
        self.account = account
        self.lots = Dictionary(uniqueKeysWithValues: lots.map { ($0.id, $0) })
        self.holds = Dictionary(uniqueKeysWithValues: holds.map { ($0.id, $0) })
        self.debt = debt
        self.uncovered = holds.reduce(0) { $0 + $1.uncovered }
        self.lastSeq = lastSeq
        self.liveLotOrder = []
        self.credits = lots.reduce(0) { $0 + $1.remaining }
        rebuildLiveOrder()
        earliestExpiryMs = nextExpiryMs
    }

    /// Σ reserved by pending holds.
    public var held: Credits { holds.values.reduce(0) { $0 + $1.held } }

    /// What the account can spend before reaching its overdraft limit.
    public var available: Credits { credits - debt - uncovered }

    /// The current balance snapshot.
    public var balance: Balance {
        Balance(
            credits: credits, held: held, debt: debt, available: available,
            overdraftLimit: account.overdraftLimit)
    }

    /// The live lots in burn-down order.
    public var liveLots: [Lot] { liveLotOrder.compactMap { lots[$0] } }

    /// Applies one posting; a posting that would break a lot's balance is a programmer error.
    mutating func apply(_ posting: Posting, hold holdID: HoldID?) {
        switch posting.kind {
        case .open:
            preconditionFailure("open postings are applied with their lot")
        case .consume: moveLot(posting, \.remaining, \.consumed, revives: false)
        case .reserve:
            moveLot(posting, \.remaining, \.reserved, revives: true)
            adjustReservation(holdID, posting.lot, posting.amount)
        case .unreserve:
            moveLot(posting, \.reserved, \.remaining, revives: true)
            adjustReservation(holdID, posting.lot, -posting.amount)
        case .settle:
            moveLot(posting, \.reserved, \.consumed, revives: false)
            adjustReservation(holdID, posting.lot, -posting.amount)
        case .expireReserved:
            moveLot(posting, \.reserved, \.expired, revives: false)
            adjustReservation(holdID, posting.lot, -posting.amount)
        case .unconsume: moveLot(posting, \.consumed, \.remaining, revives: true)
        case .unconsumeExpired: moveLot(posting, \.consumed, \.expired, revives: false)
        case .expire: moveLot(posting, \.remaining, \.expired, revives: false)
        case .debt:
            debt += posting.amount
            precondition(debt >= 0, "debt went negative")
        case .uncovered:
            uncovered += posting.amount
            precondition(uncovered >= 0, "uncovered hold part went negative")
            if let holdID { holds[holdID]?.uncovered += posting.amount }
        }
    }

    /// Applies a whole entry: opens its lot or hold, moves its postings, then closes the hold a
    /// capture or release settled.
    public mutating func apply(_ entry: LedgerEntry) {
        let closing = entry.kind == .capture || entry.kind == .release ? entry.referenceID.flatMap { holds[$0] } : nil
        if let lot = entry.openedLot {
            credits -= lots[lot.id]?.remaining ?? 0
            var fresh = lot
            fresh.remaining = 0
            fresh.consumed = 0
            fresh.reserved = 0
            fresh.expired = 0
            lots[lot.id] = fresh
        }
        if var hold = entry.openedHold {
            hold.reservations = [:]
            hold.uncovered = 0
            hold.status = .pending
            holds[hold.id] = hold
        }
        for posting in entry.postings {
            if posting.kind == .open {
                if lots[posting.lot] != nil {
                    lots[posting.lot]!.remaining += posting.amount
                    credits += posting.amount
                }
            } else {
                apply(posting, hold: entry.referenceID.flatMap { holds[$0] == nil ? nil : $0 })
            }
        }
        if let lot = entry.openedLot { insertLive(lot.id) }
        dropSpentLots(among: entry.postings)
        if account.subscription != nil, entry.kind.isDebit || entry.kind == .refund {
            periodUsed = saturatingAdd(periodUsed, entry.usage)
        }
        if entry.kind == .capture || entry.kind == .release, let holdID = entry.referenceID {
            close(hold: holdID)
        }
        // What can expire is the pending holds and the lots with remaining credits, and an entry
        // changes only the lots its postings touch and the hold it opens or closes. So the
        // earliest expiry moves only through those, and is worked out again over every lot and
        // hold (a lookup per live lot, for every entry `tally verify` replays) only when the
        // entry closed a hold or emptied a lot that expired no later than it: one that expires
        // later was not it, so it is still the earliest.
        let bound = earliestExpiryMs ?? .max
        var removed = closing.map { $0.expiresAtMs <= bound } ?? false
        for posting in entry.postings {
            guard let lot = lots[posting.lot], let at = lot.expiresAtMs else { continue }
            if lot.remaining > 0 { earliestExpiryMs = min(earliestExpiryMs ?? at, at) } else if at <= bound { removed = true }
        }
        if let hold = entry.openedHold, holds[hold.id] != nil {
            earliestExpiryMs = min(earliestExpiryMs ?? hold.expiresAtMs, hold.expiresAtMs)
        }
        if removed { earliestExpiryMs = nextExpiryMs }
        lastSeq = entry.seq
    }

    /// Marks a pending hold settled and forgets it; its reservations must already be zero.
    public mutating func close(hold holdID: HoldID) {
        guard let hold = holds.removeValue(forKey: holdID) else { return }
        precondition(hold.held == 0, "a hold was closed with credits still reserved")
    }

    /// Moves a posting's credits between two buckets of its lot; `revives` when the target
    /// bucket makes a spent lot live again.
    private mutating func moveLot(
        _ posting: Posting, _ from: WritableKeyPath<Lot, Credits>,
        _ to: WritableKeyPath<Lot, Credits>, revives: Bool
    ) {
        guard var lot = lots[posting.lot] else { preconditionFailure("posting to unknown lot") }
        lot[keyPath: from] -= posting.amount
        lot[keyPath: to] += posting.amount
        precondition(lot.isBalanced && posting.amount > 0, "posting broke lot \(lot.id)")
        lots[posting.lot] = lot
        if from == \Lot.remaining { credits -= posting.amount }
        if to == \Lot.remaining { credits += posting.amount }
        if revives, !liveLotOrder.contains(lot.id) { insertLive(lot.id) }
    }

    private mutating func adjustReservation(_ holdID: HoldID?, _ lot: LotID, _ delta: Credits) {
        guard let holdID, var hold = holds[holdID] else { return }
        let reserved = (hold.reservations[lot] ?? 0) + delta
        precondition(reserved >= 0, "a hold released more than it reserved")
        hold.reservations[lot] = reserved == 0 ? nil : reserved
        holds[holdID] = hold
    }

    private mutating func rebuildLiveOrder() {
        liveLotOrder = BurnDown.sorted(lots.values.filter { $0.remaining > 0 || $0.reserved > 0 })
            .map(\.id)
    }

    /// Puts a lot into the live order at its burn-down place (binary search), so a top-up does
    /// not re-sort every lot the account ever had.
    private mutating func insertLive(_ lotID: LotID) {
        guard let lot = lots[lotID], lot.remaining > 0 || lot.reserved > 0, !liveLotOrder.contains(lotID) else { return }
        var low = 0
        var high = liveLotOrder.count
        while low < high {
            let middle = (low + high) / 2
            if let other = lots[liveLotOrder[middle]], BurnDown.paysBefore(other, lot) { low = middle + 1 } else { high = middle }
        }
        liveLotOrder.insert(lotID, at: low)
    }

    /// Drops lots that `postings` spent from the live order: only a posting moves credits out
    /// of a lot, so the others are as live as before (scanning them all cost one lookup per live
    /// lot for every entry).
    private mutating func dropSpentLots(among postings: [Posting]) {
        if postings.contains(where: { lots[$0.lot].map { $0.remaining == 0 && $0.reserved == 0 } ?? false }) {
            liveLotOrder.removeAll { lots[$0].map { $0.remaining == 0 && $0.reserved == 0 } ?? true }
        }
    }
}
