public import TallyCore

/// What the engine loads to bring an account into memory.
public struct AccountSnapshot: Sendable {
    public let state: AccountState
    /// The account's newest idempotency keys within retention, with their request fingerprints.
    public let idempotencyKeys: [StoredIdempotencyKey]
    /// Every key the account used at or after this instant is among `idempotencyKeys`; an older
    /// one within retention may be on disk only (``Store/storedKey(account:key:sinceMs:)``).
    public let keysCompleteSinceMs: Int64
    /// The last event sequence number the account used.
    public let lastEventSeq: Int64

    /// A key as loaded: enough to detect a repeat without loading the stored response.
    public struct StoredIdempotencyKey: Sendable {
        public let key: String
        public let fingerprint: [UInt8]
        public let createdAtMs: Int64
        /// The entry whose row holds the stored outcome; nil when it is in `idempotency`.
        public let entryID: Int64?
    }
}

extension Connection {
    /// Loads an account with its lots, pending holds, last sequence and its newest keys; nil if
    /// absent. At most `keyLimit` keys are read from the index (plus those it does not hold yet).
    func loadAccount(id: String, keysSinceMs: Int64, keyLimit: Int = 4_096) throws(StoreError) -> AccountSnapshot? {
        guard let (account, debt) = try accountRow(id: id) else { return nil }
        let lots = try self.lots(account: id)
        let holds = try cached(Connection.holdColumns + " WHERE account_id = ? AND status = 'pending'")
            .rows([id], Connection.hold)
        let unindexed = try unindexedEntries(account: id)
        // The tail holds an account's newest entries, so its last one is the last of all.
        var lastSeq = unindexed.last?.seq ?? 0
        if unindexed.isEmpty { lastSeq = try lastIndexedSeq(account: id) }
        let keys = try recentKeys(account: id, unindexed: unindexed, sinceMs: keysSinceMs, limit: keyLimit)
        var state = AccountState(
            account: account, lots: lots, holds: holds.map(\.hold),
            debt: debt, lastSeq: lastSeq)
        state.latches = try alertLatches(account: id)
        if let subscription = account.subscription {
            state.periodUsed = try periodUsage(account: id, afterSeq: subscription.periodStartSeq)
        }
        return AccountSnapshot(
            state: state, idempotencyKeys: keys.keys, keysCompleteSinceMs: keys.completeSinceMs,
            lastEventSeq: try lastEventSeq(account: id))
    }

    /// The account row and its debt; nil if absent.
    func accountRow(id: String) throws(StoreError) -> (Account, Credits)? {
        try cached(Connection.accountColumns + " WHERE id = ?").rows([id], Connection.account).first
    }

    /// Which balance alerts of the account fired and have not re-armed; an empty column (an
    /// account from before alerts existed) is everything armed.
    func alertLatches(account: String) throws(StoreError) -> ThresholdLatches {
        let text = try cached("SELECT alert_latches FROM accounts WHERE id = ?").rows([account]) { $0.text(0) }.first ?? ""
        return try JSONColumn.decode(ThresholdLatches.self, text, "alert latches") ?? ThresholdLatches()
    }

    /// Credits used since the entry with sequence `afterSeq`: debits and captures net of refunds.
    ///
    /// It reads the period's entries, which a busy account may have many of; it runs only when
    /// an account on a plan is loaded.
    func periodUsage(account: String, afterSeq: Int64) throws(StoreError) -> Credits {
        var used: Credits = 0
        var after = afterSeq
        while true {
            let page = try entries(EntryQuery(account: account, afterSeq: after, limit: 5_000))
            for entry in page {
                let (sum, overflow) = used.addingReportingOverflow(entry.usage)
                used = overflow ? .max : sum
            }
            guard let last = page.last, page.count == 5_000 else { return used }
            after = last.seq
        }
    }

    /// A page of accounts in id order, after `afterID`; only live or only test ones when
    /// `livemode` is given.
    func accounts(after afterID: String?, limit: Int, livemode: Bool? = nil) throws(StoreError) -> [(Account, Credits)] {
        guard let livemode else {
            return try cached(Connection.accountColumns + " WHERE id > ? ORDER BY id LIMIT ?")
                .rows([afterID ?? "", limit], Connection.account)
        }
        return try cached(Connection.accountColumns + " WHERE id > ? AND livemode = ? ORDER BY id LIMIT ?")
            .rows([afterID ?? "", livemode ? 1 : 0, limit], Connection.account)
    }

    /// The highest id any lot, hold, entry, event or webhook endpoint has taken, so the id sequence continues after it.
    func highestAllocatedID() throws(StoreError) -> Int64 {
        try cached(
            """
            SELECT max(coalesce((SELECT max(id) FROM entries), 0),
                       coalesce((SELECT max(id) FROM lots), 0),
                       coalesce((SELECT max(id) FROM holds), 0),
                       coalesce((SELECT max(id) FROM events), 0),
                       coalesce((SELECT max(id) FROM webhook_endpoints), 0),
                       coalesce((SELECT max(id) FROM api_keys), 0))
            """
        ).rows { $0.int(0) }.first ?? 0
    }

    /// The stored response of an earlier request with this key, from its entry or the table.
    func idempotencyResponse(account: String, key: String, entryID: Int64?) throws(StoreError) -> [UInt8]? {
        if let entryID {
            return try cached("SELECT response FROM entries WHERE id = ? AND idempotency_key = ?")
                .rows([entryID, key]) { $0.blob(0) }.first
        }
        return try cached("SELECT response FROM idempotency WHERE account_id = ? AND key = ?")
            .rows([account, key]) { $0.blob(0) }.first
    }

    /// The account's newest keys used since `sinceMs`: every key of the entries the index does
    /// not hold yet (no probe could find those), then up to `limit` from the index, newest first,
    /// and its entry-less outcomes unless there are more than `limit` of them.
    func recentKeys(
        account: String, unindexed: [LedgerTail.Entry], sinceMs: Int64, limit: Int
    ) throws(StoreError) -> (keys: [AccountSnapshot.StoredIdempotencyKey], completeSinceMs: Int64) {
        try attachIndexIfNeeded()
        var keys: [AccountSnapshot.StoredIdempotencyKey] = []
        let byID = try cached("SELECT idempotency_key, fingerprint, at_ms, id FROM entries WHERE id = ?")
        for entry in unindexed where entry.key != nil {
            keys += try byID.rows([entry.id], Connection.storedKey).filter { $0.createdAtMs >= sinceMs }
        }
        var completeSinceMs = sinceMs
        var fromIndex = 0
        try cached(
            """
            SELECT e.idempotency_key, e.fingerprint, e.at_ms, e.id FROM \(indexSchema).ledger_index AS i
            JOIN entries AS e ON e.id = i.entry_id
            WHERE i.account_id = ? AND i.seq < ? ORDER BY i.seq DESC
            """
        ).forEachRow([account, unindexed.first?.seq ?? .max]) { row throws(StoreError) in
            // Entries are appended in time order, so the first one older than the cutoff ends
            // the scan; a clock step back of up to an hour is tolerated.
            if row.int(2) < sinceMs - Connection.clockStepToleranceMs { return false }
            if fromIndex >= limit {
                // Anything older may hold keys not read: complete only after this entry's time
                // (and the tolerated clock step).
                completeSinceMs = max(completeSinceMs, row.int(2) + Connection.clockStepToleranceMs + 1)
                return false
            }
            if row.optionalText(0) != nil, row.int(2) >= sinceMs {
                keys.append(Connection.storedKey(row))
                fromIndex += 1
            }
            return true
        }
        let outcomes = try cached(
            "SELECT key, fingerprint, created_at_ms FROM idempotency WHERE account_id = ? AND created_at_ms >= ? LIMIT ?"
        ).rows([account, sinceMs, limit + 1]) {
            AccountSnapshot.StoredIdempotencyKey(key: $0.text(0), fingerprint: $0.blob(1), createdAtMs: $0.int(2), entryID: nil)
        }
        if outcomes.count > limit { return (keys, .max) }
        return (keys + outcomes, completeSinceMs)
    }

    /// A key the account used since `sinceMs`, found on disk; nil if it used none.
    ///
    /// The index row carries the entry's time, so a key never used (the usual case) costs one
    /// lookup in `key_index` and one in `idempotency`, and no read of the entries.
    func storedKey(account: String, key: String, sinceMs: Int64) throws(StoreError) -> AccountSnapshot.StoredIdempotencyKey? {
        try attachIndexIfNeeded()
        let indexed = try cached(
            "SELECT entry_id FROM \(indexSchema).key_index WHERE account_id = ? AND key = ? AND at_ms >= ?"
        ).rows([account, key, sinceMs]) { $0.int(0) }.first
        if let indexed {
            return try cached("SELECT idempotency_key, fingerprint, at_ms, id FROM entries WHERE id = ? AND idempotency_key = ?")
                .rows([indexed, key], Connection.storedKey).first
        }
        return try cached(
            "SELECT key, fingerprint, created_at_ms FROM idempotency WHERE account_id = ? AND key = ? AND created_at_ms >= ?"
        ).rows([account, key, sinceMs]) {
            AccountSnapshot.StoredIdempotencyKey(key: $0.text(0), fingerprint: $0.blob(1), createdAtMs: $0.int(2), entryID: nil)
        }.first
    }

    /// Calls `body` with the account and key of every keyed outcome on disk since `sinceMs`, for
    /// filling the engine's key filter after a start, until `body` returns false.
    func forEachKey(sinceMs: Int64, _ body: (String, String) -> Bool) throws(StoreError) {
        try attachIndexIfNeeded()
        var goingOn = true
        for sql in [
            "SELECT account_id, key FROM \(indexSchema).key_index WHERE at_ms >= ?",
            "SELECT account_id, key FROM idempotency WHERE created_at_ms >= ?",
        ] where goingOn {
            try cached(sql).forEachRow([sinceMs]) { row throws(StoreError) in
                goingOn = body(row.text(0), row.text(1))
                return goingOn
            }
        }
    }

    /// The highest sequence the index holds for the account (0 for none).
    func lastIndexedSeq(account: String) throws(StoreError) -> Int64 {
        try attachIndexIfNeeded()
        return try cached("SELECT coalesce(max(seq), 0) FROM \(indexSchema).ledger_index WHERE account_id = ?")
            .rows([account]) { $0.int(0) }.first ?? 0
    }

    /// How far back the system clock may step without keys being missed.
    static let clockStepToleranceMs: Int64 = 3_600_000

    static func storedKey(_ row: Statement) -> AccountSnapshot.StoredIdempotencyKey {
        AccountSnapshot.StoredIdempotencyKey(key: row.text(0), fingerprint: row.blob(1), createdAtMs: row.int(2), entryID: row.int(3))
    }

    static let accountColumns = """
        SELECT id, status, overdraft_limit, debt, metadata, created_at_ms, updated_at_ms, thresholds,
            subscription, auto_topup, rate_limit, livemode FROM accounts
        """

    static func account(_ row: Statement) throws(StoreError) -> (Account, Credits) {
        guard let status = AccountStatus(rawValue: row.text(1)) else { throw .corrupt("account status") }
        let account = Account(
            id: row.text(0), livemode: row.int(11) == 1, status: status, overdraftLimit: row.int(2),
            metadata: try MetadataCoding.decode(row.text(4)),
            thresholds: row.text(7).split(separator: ",").compactMap { Credits($0) },
            subscription: try JSONColumn.decode(PlanSubscription.self, row.text(8), "plan subscription"),
            autoTopUp: try JSONColumn.decode(AutoTopUpSetting.self, row.text(9), "auto top-up"),
            rateLimit: try JSONColumn.decode(RateLimit.self, row.text(10), "rate limit"), createdAtMs: row.int(5),
            updatedAtMs: row.int(6))
        return (account, row.int(3))
    }

    static func lot(_ row: Statement) throws(StoreError) -> Lot {
        guard let source = LotSource(rawValue: row.text(1)) else { throw .corrupt("lot source") }
        return Lot(
                id: row.int(0), source: source, amount: row.int(2), remaining: row.int(3),
                reserved: row.int(4), consumed: row.int(5), expired: row.int(6),
                priority: Int(row.int(7)), expiresAtMs: row.optionalInt(8), createdAtMs: row.int(9),
                reference: row.optionalText(10))
    }
}

extension Connection {
    /// Every lot of an account, spent or not.
    func lots(account: String) throws(StoreError) -> [Lot] {
        try cached(
            """
            SELECT id, source, amount, remaining, reserved, consumed, expired, priority,
                expires_at_ms, created_at_ms, reference
            FROM lots WHERE account_id = ? ORDER BY id
            """
        ).rows([account], Connection.lot)
    }
}
