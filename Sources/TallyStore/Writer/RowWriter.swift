import TallyCore

/// Writes the rows of store changes with the writer connection's cached statements.
struct RowWriter {
    let connection: Connection

    /// Writes the changes of many mutations in one transaction, folding repeated row states,
    /// with the batch's record when it appends entries (see ``CommitBatch``).
    func transaction(_ mutations: some Sequence<[StoreChange]>, batch: CommitBatch? = nil) throws(StoreError) {
        try connection.transaction { () throws(StoreError) in
            var folded = BatchRows()
            for changes in mutations {
                for change in changes { try folded.add(change, writer: self) }
            }
            try folded.flush(writer: self)
            if let batch { try put(batch: batch) }
        }
    }

    func put(batch: CommitBatch) throws(StoreError) {
        try connection.cached("INSERT INTO commit_batches (id, first_entry_id) VALUES (?, ?)")
            .run(batch.number, batch.firstEntryID)
        // Rows the index has passed are no longer needed to recover it; the newest one always
        // stays, since it carries the batch numbering across restarts.
        if let pruneThrough = batch.pruneThrough {
            try connection.cached("DELETE FROM commit_batches WHERE id <= ? AND id < ?").run(pruneThrough, batch.number)
        }
    }

    func put(account: Account, debt: Credits) throws(StoreError) {
        try connection.cached(
            """
            INSERT INTO accounts (id, status, overdraft_limit, debt, metadata, created_at_ms, updated_at_ms, thresholds,
                subscription, auto_topup, next_period_start_ms, rate_limit, livemode)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status,
                overdraft_limit = excluded.overdraft_limit, debt = excluded.debt,
                metadata = excluded.metadata, updated_at_ms = excluded.updated_at_ms,
                thresholds = excluded.thresholds, subscription = excluded.subscription,
                auto_topup = excluded.auto_topup, next_period_start_ms = excluded.next_period_start_ms,
                rate_limit = excluded.rate_limit
            """
        ).run(
            account.id, account.status.rawValue, account.overdraftLimit, debt,
            MetadataCoding.encode(account.metadata), account.createdAtMs, account.updatedAtMs,
            account.thresholds.map { String($0) }.joined(separator: ","), JSONColumn.encode(account.subscription),
            JSONColumn.encode(account.autoTopUp), account.subscription?.periodEndMs, JSONColumn.encode(account.rateLimit),
            account.livemode ? 1 : 0)
    }

    func put(testClockMs nowMs: Int64) throws(StoreError) {
        try connection.cached("INSERT OR REPLACE INTO test_clock (id, now_ms) VALUES (1, ?)").run(nowMs)
    }

    func put(latches: ThresholdLatches, account: String) throws(StoreError) {
        try connection.cached("UPDATE accounts SET alert_latches = ? WHERE id = ?")
            .run(JSONColumn.encode(latches), account)
    }

    func put(lot: Lot, account: String) throws(StoreError) {
        try connection.cached(
            """
            INSERT INTO lots (id, account_id, source, amount, remaining, reserved, consumed, expired,
                priority, expires_at_ms, created_at_ms, reference)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET remaining = excluded.remaining,
                reserved = excluded.reserved, consumed = excluded.consumed, expired = excluded.expired
            """
        ).run(
            lot.id, account, lot.source.rawValue, lot.amount, lot.remaining, lot.reserved,
            lot.consumed, lot.expired, lot.priority, lot.expiresAtMs, lot.createdAtMs,
            lot.reference)
    }

    func put(hold: Hold, account: String) throws(StoreError) {
        try connection.cached(
            """
            INSERT INTO holds (id, account_id, amount, reservations, uncovered, status, created_at_ms,
                expires_at_ms, captured_amount, debit_id, settled_at_ms, operation, metadata, quantity)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET reservations = excluded.reservations,
                uncovered = excluded.uncovered, status = excluded.status,
                captured_amount = excluded.captured_amount, debit_id = excluded.debit_id,
                settled_at_ms = excluded.settled_at_ms
            """
        ).run(
            hold.id, account, hold.amount, LotAmountsCoding.encode(hold.reservations),
            hold.uncovered, hold.status.rawValue, hold.createdAtMs, hold.expiresAtMs,
            hold.capturedAmount, hold.debitID, hold.settledAtMs, hold.operation,
            MetadataCoding.encode(hold.metadata), hold.quantity)
    }

    func append(_ row: EntryRow) throws(StoreError) {
        try connection.cached(
            """
            INSERT INTO entries (id, account_id, seq, at_ms, kind, amount, available_after, postings,
                reference_id, detail, operation, metadata, idempotency_key, fingerprint, response, quantity)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).run(
            row.id, row.account, row.seq, row.atMs, row.kind, row.amount, row.availableAfter,
            row.postings, row.referenceID, row.detail, row.operation, row.metadata, row.stamp?.key,
            row.stamp?.fingerprint, row.stamp?.response, row.quantity)
    }

    func append(event: EventRow) throws(StoreError) {
        try connection.cached(
            "INSERT INTO events (id, account_id, account_seq, type, at_ms, body, livemode) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).run(event.id, event.account, event.accountSeq, event.type, event.atMs, event.body, event.livemode ? 1 : 0)
        try fanOut(event)
    }

    func put(refunds debit: DebitRecord) throws(StoreError) {
        try connection.cached(
            """
            INSERT INTO debit_refunds (debit_id, account_id, refunded_lots, refunded_debt)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (debit_id) DO UPDATE SET refunded_lots = excluded.refunded_lots,
                refunded_debt = excluded.refunded_debt
            """
        ).run(debit.id, debit.account, LotAmountsCoding.encode(debit.refundedLots), debit.refundedDebt)
    }

    func put(idempotency record: IdempotencyRecord) throws(StoreError) {
        // REPLACE: a row still on disk past its retention may be overwritten by a new request.
        try connection.cached(
            """
            INSERT OR REPLACE INTO idempotency (account_id, key, fingerprint, response, created_at_ms)
            VALUES (?, ?, ?, ?, ?)
            """
        ).run(record.account, record.key, record.fingerprint, record.response, record.createdAtMs)
    }
}

/// The record of a commit that appended entries: its number, the smallest entry id it wrote,
/// and how far older records may be pruned.
struct CommitBatch {
    let number: Int64
    let firstEntryID: Int64
    let pruneThrough: Int64?
}

/// The changes of one batch with repeated row states folded to the last one.
///
/// A hot account's lot is rewritten by every debit in a batch; writing it once per batch is
/// what keeps one hot account fast.
struct BatchRows {
    private var entries: [EntryRow] = []
    private var accounts: [String: (Account, Credits)] = [:]
    private var lots: [LotID: (String, Lot)] = [:]
    private var holds: [HoldID: (String, Hold)] = [:]
    private var refunds: [Int64: DebitRecord] = [:]
    private var latches: [String: ThresholdLatches] = [:]

    /// Keeps entries to write in order and the latest state of every other row.
    mutating func add(_ change: StoreChange, writer: RowWriter) throws(StoreError) {
        switch change {
        case .appendEntry(let row): entries.append(row)
        case .putIdempotency(let record): try writer.put(idempotency: record)
        case .appendEvent(let event): try writer.append(event: event)
        case .putAlertLatches(let account, let latches): self.latches[account] = latches
        case .putAccount(let account, let debt): accounts[account.id] = (account, debt)
        case .putLot(let account, let lot): lots[lot.id] = (account, lot)
        case .putHold(let account, let hold): holds[hold.id] = (account, hold)
        case .putDebitRefunds(let debit): refunds[debit.id] = debit
        case .putTestClock(let nowMs): try writer.put(testClockMs: nowMs)
        case .putEndpoint(let endpoint): try writer.put(endpoint: endpoint)
        case .disableEndpoint(let id, let reason, let atMs): try writer.disableEndpoint(id, reason: reason, atMs: atMs)
        case .putEndpointHealth(let endpoint, let failures, let failingSinceMs, let lastSuccessAtMs):
            try writer.putHealth(endpoint: endpoint, failures: failures, failingSinceMs: failingSinceMs, lastSuccessAtMs: lastSuccessAtMs)
        case .leaseDeliveries(let ids, let untilMs): try writer.lease(ids, untilMs: untilMs)
        case .recordAttempt(let attempt, let progress): try writer.record(attempt, progress)
        case .resumeDeliveries(let endpoint, let failedSinceMs, let atMs):
            try writer.resumeDeliveries(endpoint: endpoint, failedSinceMs: failedSinceMs, atMs: atMs)
        case .replayDelivery(let id, let atMs): try writer.replayDelivery(id, atMs: atMs)
        case .pruneExpiredRecords(let cutoffs, let limit): try writer.prune(cutoffs, limit: limit)
        case .putAPIKey(let key): try writer.put(apiKey: key)
        case .touchAPIKey(let id, let atMs): try writer.touch(apiKey: id, atMs: atMs)
        }
    }

    /// Writes the entries and the folded row states.
    ///
    /// Entries go in account order and lots in id order, so consecutive inserts land on
    /// neighbouring B-tree pages instead of jumping across the index for every row.
    func flush(writer: RowWriter) throws(StoreError) {
        let ordered = entries.sorted { ($0.account, $0.seq) < ($1.account, $1.seq) }
        for row in ordered { try writer.append(row) }
        for (account, debt) in accounts.values { try writer.put(account: account, debt: debt) }
        for id in lots.keys.sorted() {
            guard let (account, lot) = lots[id] else { continue }
            try writer.put(lot: lot, account: account)
        }
        for (account, hold) in holds.values { try writer.put(hold: hold, account: account) }
        for debit in refunds.values { try writer.put(refunds: debit) }
        for (account, latches) in latches { try writer.put(latches: latches, account: account) }
    }
}
