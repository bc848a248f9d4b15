import TallyCore

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
    /// A page of an account's ledger, oldest first, including entries answered a moment ago.
    ///
    /// The entries the index holds come first (they are the older ones: an account's entries
    /// reach the index in sequence order), then those it does not hold yet; the tail is read
    /// before the index, so an entry moving between them meanwhile is seen at least once.
    func entries(_ query: EntryQuery) throws(StoreError) -> [LedgerEntry] {
        let unindexed = try unindexedEntries(account: query.account)
        try attachIndexIfNeeded()
        let fromMs = query.fromMs ?? Int64.min
        let toMs = query.toMs ?? Int64.max
        var page = try cached(
            Connection.entryColumns(prefix: "e.")
                + """
                 AS e JOIN \(indexSchema).ledger_index AS i ON e.id = i.entry_id
                 WHERE i.account_id = ? AND i.seq > ? AND e.at_ms >= ? AND e.at_ms < ?
                 ORDER BY i.seq LIMIT ?
                """
        ).rows([query.account, query.afterSeq, fromMs, toMs, query.limit], Connection.entry)
        let afterSeq = max(query.afterSeq, page.last?.seq ?? 0)
        let byID = try cached(Connection.entryColumns + " WHERE id = ?")
        for pending in unindexed where pending.seq > afterSeq && page.count < query.limit {
            guard let entry = try byID.rows([pending.id], Connection.entry).first else {
                throw .corrupt("ledger entry \(pending.id) missing")
            }
            if entry.atMs >= fromMs && entry.atMs < toMs { page.append(entry) }
        }
        return page
    }

    /// A debit or capture with its lineage and refunds so far; nil if absent.
    func debit(id: Int64) throws(StoreError) -> DebitRecord? {
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

    static let entryColumns = entryColumns(prefix: "")

    static func entryColumns(prefix p: String) -> String {
        """
        SELECT \(p)id, \(p)seq, \(p)at_ms, \(p)kind, \(p)amount, \(p)available_after, \(p)postings,
            \(p)reference_id, \(p)detail, \(p)operation, \(p)metadata, \(p)account_id, \(p)quantity FROM entries
        """
    }

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
