/// Which events to read from the outbox.
public struct EventQuery: Sendable {
    public var afterID: Int64
    public var type: String?
    public var account: String?
    /// Only live events (true) or only test ones (false); nil for both.
    public var livemode: Bool?
    public var limit: Int

    /// Creates a query for events after `afterID`, oldest first.
    public init(afterID: Int64 = 0, type: String? = nil, account: String? = nil, livemode: Bool? = nil, limit: Int) {
        self.afterID = afterID
        self.type = type
        self.account = account
        self.livemode = livemode
        self.limit = limit
    }
}

extension Connection {
    /// A page of events in id order.
    func events(_ query: EventQuery) throws(StoreError) -> [EventRow] {
        try cached(
            """
            SELECT id, account_id, account_seq, type, at_ms, body, livemode FROM events
            WHERE id > ?1 AND (?2 IS NULL OR type = ?2) AND (?3 IS NULL OR account_id = ?3)
                AND (?5 IS NULL OR livemode = ?5)
            ORDER BY id LIMIT ?4
            """
        ).rows([query.afterID, query.type, query.account, query.limit, query.livemode.map { $0 ? 1 : 0 }]) { row in
            EventRow(
                id: row.int(0), account: row.text(1), accountSeq: row.int(2), type: row.text(3), atMs: row.int(4),
                body: row.blob(5), livemode: row.int(6) == 1)
        }
    }

    /// The last event sequence number an account used (0 before its first event).
    func lastEventSeq(account: String) throws(StoreError) -> Int64 {
        try cached("SELECT coalesce(max(account_seq), 0) FROM events WHERE account_id = ?")
            .rows([account]) { $0.int(0) }.first ?? 0
    }
}
