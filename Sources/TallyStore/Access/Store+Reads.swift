public import TallyCore

/// The typed reads of accounts, their ledgers and their keys, each run on a reader thread.
///
/// A read that needs several queries (a usage report, a page after its account check) runs them
/// in one job on one connection, so it costs one hop to a reader thread like a single query.
extension Store {
    /// Whether a reader thread answers: the readiness probe's read.
    public func readersAnswer() async -> Bool {
        do throws(StoreError) {
            return try await readers.read { _ throws(StoreError) in true }
        } catch {
            return false
        }
    }

    /// Loads an account with its lots, pending holds, last sequence and its newest keys; nil if
    /// absent. At most `keyLimit` keys are read from the index (plus those it does not hold yet).
    public func account(id: String, keysSinceMs: Int64, keyLimit: Int) async throws(StoreError) -> AccountSnapshot? {
        try await readers.read { connection throws(StoreError) in
            try connection.loadAccount(id: id, keysSinceMs: keysSinceMs, keyLimit: keyLimit)
        }
    }

    /// A page of accounts in id order, after `afterID`, each with its stored debt; only live or
    /// only test ones when `livemode` is given.
    public func accounts(after afterID: String?, limit: Int, livemode: Bool?) async throws(StoreError) -> [(Account, Credits)] {
        try await readers.read { connection throws(StoreError) in
            try connection.accounts(after: afterID, limit: limit, livemode: livemode)
        }
    }

    /// A page of an account's ledger, oldest first; nil if there is no such account.
    public func ledger(_ query: EntryQuery) async throws(StoreError) -> [LedgerEntry]? {
        try await readers.read { connection throws(StoreError) in
            guard try connection.accountRow(id: query.account) != nil else { return nil }
            return try connection.entries(query)
        }
    }

    /// Usage per operation per bucket in [fromMs, toMs), read from the ledger page by page; nil
    /// if there is no such account.
    public func usage(
        account: String, fromMs: Int64, toMs: Int64, granularity: UsageGranularity
    ) async throws(StoreError) -> UsageReport? {
        try await readers.read { connection throws(StoreError) -> UsageReport? in
            guard try connection.accountRow(id: account) != nil else { return nil }
            var builder = UsageReport.Builder(fromMs: fromMs, toMs: toMs, granularity: granularity)
            var afterSeq: Int64 = 0
            while true {
                let page = try connection.entries(
                    EntryQuery(account: account, afterSeq: afterSeq, limit: 5_000, fromMs: fromMs, toMs: toMs))
                guard let last = page.last else { break }
                for entry in page { builder.add(entry) }
                afterSeq = last.seq
            }
            return builder.report
        }
    }

    /// A debit or capture with its lineage and refunds so far; nil if absent.
    public func debit(id: Int64) async throws(StoreError) -> DebitRecord? {
        try await readers.read { connection throws(StoreError) in try connection.debit(id: id) }
    }

    /// A hold with the account it belongs to; nil if absent.
    public func hold(id: HoldID) async throws(StoreError) -> (account: String, hold: Hold)? {
        try await readers.read { connection throws(StoreError) in try connection.hold(id: id) }
    }

    /// A key the account used since `sinceMs`, found on disk; nil if it used none.
    public func storedKey(
        account: String, key: String, sinceMs: Int64
    ) async throws(StoreError) -> AccountSnapshot.StoredIdempotencyKey? {
        try await readers.read { connection throws(StoreError) in
            try connection.storedKey(account: account, key: key, sinceMs: sinceMs)
        }
    }

    /// The stored response of an earlier request with this key, from its entry or the table.
    public func idempotencyResponse(account: String, key: String, entryID: Int64?) async throws(StoreError) -> [UInt8]? {
        try await readers.read { connection throws(StoreError) in
            try connection.idempotencyResponse(account: account, key: key, entryID: entryID)
        }
    }

    /// The stored outcome of a keyed request that no account owns (`account` is empty for those).
    public func idempotencyRecord(account: String, key: String) async throws(StoreError) -> IdempotencyRecord? {
        try await readers.read { connection throws(StoreError) in try connection.idempotencyRecord(account: account, key: key) }
    }

    /// The key stored under `hash`; nil if none.
    public func apiKey(hash: [UInt8]) async throws(StoreError) -> APIKeyRecord? {
        try await readers.read { connection throws(StoreError) in try connection.apiKey(hash: hash) }
    }

    /// The key with this id; nil if none.
    public func apiKey(id: Int64) async throws(StoreError) -> APIKeyRecord? {
        try await readers.read { connection throws(StoreError) in try connection.apiKey(id: id) }
    }

    /// A page of an account's keys in id order.
    public func apiKeys(account: String, after afterID: Int64, limit: Int) async throws(StoreError) -> [APIKeyRecord] {
        try await readers.read { connection throws(StoreError) in
            try connection.apiKeys(account: account, after: afterID, limit: limit)
        }
    }

    /// Every service token, revoked ones included, in id order.
    public func serviceTokens() async throws(StoreError) -> [ServiceTokenRecord] {
        try await readers.read { connection throws(StoreError) in try connection.serviceTokens() }
    }
}
