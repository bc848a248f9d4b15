public import TallyCore
public import TallyStore

extension Engine {
    /// A debit or capture with its lineage and refunds so far.
    public func debit(_ id: Int64) async throws(EngineError) -> DebitRecord {
        guard let debit = try await read({ store throws(StoreError) in try await store.debit(id: id) }) else {
            throw .rejected(.debitNotFound)
        }
        return debit
    }

    /// Refunds `amount` of a debit (default: all that is left) to the lots it came from; the
    /// `reason` (at most 500 bytes) is kept on the refund's ledger entry.
    public func refund(
        debit id: Int64, amount: Credits? = nil, reason: String? = nil, idempotencyKey: String? = nil
    ) async throws(EngineError) -> Replayable<RefundReceipt> {
        if let reason, !Limits.isNote(reason) {
            throw .rejected(.invalidMetadata("a refund reason is at most \(Limits.noteCharacters.upperBound) characters"))
        }
        let stored = try await debit(id)
        let request = try Engine.keyed(
            idempotencyKey, ["refund", String(id), amount.map { String($0) } ?? "", reason ?? ""])
        return try await withAccount(stored.account) { actor throws(ActorFailure) in
            try await actor.refund(stored, amount: amount, reason: reason, request: request).finish()
        }
    }

    /// Usage per operation per bucket in [fromMs, toMs), with breakage, read from the ledger
    /// page by page; `accountNotFound` if there is no such account.
    public func usage(
        account: String, fromMs: Int64, toMs: Int64, granularity: UsageGranularity
    ) async throws(EngineError) -> UsageReport {
        let id = try Engine.checked(account)
        let report = try await read { store throws(StoreError) in
            try await store.usage(account: id, fromMs: fromMs, toMs: toMs, granularity: granularity)
        }
        guard let report else { throw .rejected(.accountNotFound) }
        return report
    }

    /// A page of the event outbox in id order (events are written with the change they tell of).
    public func events(_ query: EventQuery) async throws(EngineError) -> [EventRow] {
        try await read { store throws(StoreError) in try await store.events(query) }
    }

    /// A page of an account's ledger, oldest first; `accountNotFound` if there is no such account.
    public func ledger(_ query: EntryQuery) async throws(EngineError) -> [LedgerEntry] {
        _ = try Engine.checked(query.account)
        let entries = try await read { store throws(StoreError) in try await store.ledger(query) }
        guard let entries else { throw .rejected(.accountNotFound) }
        return entries
    }
}
