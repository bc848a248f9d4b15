/// What kind of change a ledger entry records.
public enum EntryKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Credits arrived (top-up, grant, pack, allowance, rollover); debt is repaid first.
    case credit
    /// An authorize-and-debit.
    case debit
    /// Credits reserved by a hold.
    case hold
    /// A hold settled by taking credits; it is itself a debit that can be refunded.
    case capture
    /// A hold released without taking credits (voided or expired).
    case release
    /// Credits returned from a debit.
    case refund
    /// A lot reached its expiry; its remaining credits are breakage.
    case expire

    /// Whether entries of this kind are debits that carry a lineage and can be refunded.
    public var isDebit: Bool { self == .debit || self == .capture }
}

/// One immutable line of an account's ledger.
public struct LedgerEntry: Sendable, Hashable {
    /// The entry id; for debits and captures it is also the debit id.
    public let id: Int64
    /// The account's own sequence number, gap-free from 1.
    public let seq: Int64
    public let atMs: Int64
    public let kind: EntryKind
    /// The signed change of `available` this entry made.
    public let amount: Credits
    public let availableAfter: Credits
    public let postings: [Posting]
    /// The hold (for hold, capture, release), the debit (for refund) or the lot (credit, expire).
    public let referenceID: Int64?
    /// Why a release happened, or the source of a credit.
    public let detail: String?
    /// The lot a credit entry opened, with its static fields.
    public let openedLot: Lot?
    /// The hold a hold entry opened.
    public let openedHold: Hold?
    public let operation: String?
    /// Units of `operation` the entry charged for, when it was priced from the price book.
    public let quantity: Int64?
    public let metadata: [String: String]

    /// Creates an entry.
    public init(
        id: Int64, seq: Int64, atMs: Int64, kind: EntryKind, amount: Credits,
        availableAfter: Credits, postings: [Posting], referenceID: Int64? = nil,
        detail: String? = nil, openedLot: Lot? = nil, openedHold: Hold? = nil,
        operation: String? = nil, metadata: [String: String] = [:], quantity: Int64? = nil
    ) {
        self.id = id
        self.seq = seq
        self.atMs = atMs
        self.kind = kind
        self.amount = amount
        self.availableAfter = availableAfter
        self.postings = postings
        self.referenceID = referenceID
        self.detail = detail
        self.openedLot = openedLot
        self.openedHold = openedHold
        self.operation = operation
        self.quantity = quantity
        self.metadata = metadata
    }

    /// The credits this debit took (from lots and as debt); zero for other kinds.
    public var debitedAmount: Credits {
        guard kind.isDebit else { return 0 }
        return postings.reduce(0) { total, posting in
            switch posting.kind {
            case .consume, .settle: total + posting.amount
            case .debt where posting.amount > 0: total + posting.amount
            default: total
            }
        }
    }

    /// What this entry adds to the period's usage: a debit's charge, less what a refund returns.
    public var usage: Credits {
        switch kind {
        case .debit, .capture:
            return debitedAmount
        case .refund:
            return -postings.reduce(0) { total, posting in
                switch posting.kind {
                case .unconsume, .unconsumeExpired, .open: total + posting.amount
                case .debt where posting.amount < 0: total - posting.amount
                default: total
                }
            }
        case .credit, .hold, .release, .expire:
            return 0
        }
    }
}
