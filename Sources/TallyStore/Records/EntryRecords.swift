public import TallyCore

/// Which ledger entries of an account to read.
public struct EntryQuery: Sendable {
    public var account: String
    public var afterSeq: Int64
    public var limit: Int
    public var fromMs: Int64?
    public var toMs: Int64?

    /// Creates a query for entries after `afterSeq`, oldest first.
    public init(account: String, afterSeq: Int64 = 0, limit: Int, fromMs: Int64? = nil, toMs: Int64? = nil) {
        self.account = account
        self.afterSeq = afterSeq
        self.limit = limit
        self.fromMs = fromMs
        self.toMs = toMs
    }
}

extension Connection {
    /// A page of an account's ledger, oldest first.
    public func entries(_ query: EntryQuery) throws(StoreError) -> [LedgerEntry] {
        try cached(
            Connection.entryColumns
                + """
                 WHERE account_id = ? AND seq > ? AND at_ms >= ? AND at_ms < ?
                 ORDER BY seq LIMIT ?
                """
        ).rows(
            [query.account, query.afterSeq, query.fromMs ?? Int64.min, query.toMs ?? Int64.max, query.limit],
            Connection.entry
        )
    }

    /// A debit or capture with its lineage and refunds so far; nil if absent.
    public func debit(id: Int64) throws(StoreError) -> DebitRecord? {
        guard let (account, entry) = try cached(Connection.entryColumns + " WHERE id = ?")
            .rows([id], Connection.entryWithAccount).first
        else { return nil }
        guard entry.kind.isDebit else { return nil }
        var debit = DebitRecord(entry: entry, account: account)
        if let refunds = try cached("SELECT refunded_lots, refunded_debt FROM debit_refunds WHERE debit_id = ?")
            .rows([id], { ($0.text(0), $0.int(1)) }).first
        {
            debit.refundedLots = try LotAmountsCoding.decode(refunds.0)
            debit.refundedDebt = refunds.1
        }
        return debit
    }

    static let entryColumns = """
        SELECT id, seq, at_ms, kind, amount, available_after, postings, reference_id, detail,
            operation, metadata, account_id, quantity FROM entries
        """

    static func entry(_ row: Statement) throws(StoreError) -> LedgerEntry {
        try entryWithAccount(row).1
    }

    static func entryWithAccount(_ row: Statement) throws(StoreError) -> (String, LedgerEntry) {
        guard let kind = EntryKind(rawValue: row.text(3)), let postings = Posting.decode(row.text(6)) else {
            throw .corrupt("entry \(row.int(0))")
        }
        let entry = LedgerEntry(
                id: row.int(0), seq: row.int(1), atMs: row.int(2), kind: kind, amount: row.int(4),
                availableAfter: row.int(5), postings: postings, referenceID: row.optionalInt(7),
                detail: row.optionalText(8), operation: row.optionalText(9),
                metadata: try MetadataCoding.decode(row.text(10)), quantity: row.optionalInt(12))
        return (row.text(11), entry)
    }
}
