/// A debit (or capture) with its lineage and what has been refunded from it so far.
public struct DebitRecord: Sendable, Hashable {
    public let id: Int64
    public let account: String
    public let atMs: Int64
    /// The lots that paid, in burn-down order, with how much each paid.
    public let lotParts: [(lot: LotID, amount: Credits)]
    /// The part that became debt because the lots could not cover it.
    public let debt: Credits
    /// The hold a capture settled.
    public let holdID: HoldID?
    public let operation: String?
    public let metadata: [String: String]
    /// What each lot got back from refunds so far.
    public var refundedLots: [LotID: Credits]
    /// What refunds have returned of the debt part so far.
    public var refundedDebt: Credits

    /// Creates a record from stored parts.
    public init(
        id: Int64, account: String, atMs: Int64, lotParts: [(lot: LotID, amount: Credits)],
        debt: Credits, holdID: HoldID?, operation: String?, metadata: [String: String],
        refundedLots: [LotID: Credits] = [:], refundedDebt: Credits = 0
    ) {
        self.id = id
        self.account = account
        self.atMs = atMs
        self.lotParts = lotParts
        self.debt = debt
        self.holdID = holdID
        self.operation = operation
        self.metadata = metadata
        self.refundedLots = refundedLots
        self.refundedDebt = refundedDebt
    }

    /// Creates the record of a fresh debit or capture entry.
    public init(entry: LedgerEntry, account: String) {
        precondition(entry.kind.isDebit, "only debits and captures have lineage")
        var parts: [(lot: LotID, amount: Credits)] = []
        var debt: Credits = 0
        for posting in entry.postings {
            switch posting.kind {
            case .consume, .settle:
                if let index = parts.firstIndex(where: { $0.lot == posting.lot }) {
                    parts[index].amount += posting.amount
                } else {
                    parts.append((posting.lot, posting.amount))
                }
            case .debt where posting.amount > 0: debt += posting.amount
            default: break
            }
        }
        self.init(
            id: entry.id, account: account, atMs: entry.atMs, lotParts: parts, debt: debt,
            holdID: entry.kind == .capture ? entry.referenceID : nil, operation: entry.operation,
            metadata: entry.metadata)
    }

    /// The credits this debit took.
    public var amount: Credits { lotParts.reduce(debt) { $0 + $1.amount } }

    /// The credits refunded so far.
    public var refunded: Credits { refundedLots.values.reduce(refundedDebt, +) }

    /// What can still be refunded.
    public var refundable: Credits { amount - refunded }

    public static func == (lhs: DebitRecord, rhs: DebitRecord) -> Bool {
        lhs.id == rhs.id && lhs.refundedLots == rhs.refundedLots
            && lhs.refundedDebt == rhs.refundedDebt
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
