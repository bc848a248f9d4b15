/// The rules that take credits: debit, hold, capture and void.
extension AccountState {
    /// Authorizes and debits `cost` in one step, drawing lots in burn-down order; what they
    /// cannot cover becomes debt.
    public mutating func debit<IDs>(
        cost: Credits, operation: String? = nil, quantity: Int64? = nil, metadata: [String: String] = [:],
        context: inout RuleContext<IDs>
    ) throws(Rejection) -> LedgerEntry {
        try account.checkCanSpend()
        try CreditLimits.validate(cost)
        try checkCanCharge(cost)
        let (postings, short) = draw(cost, as: .consume)
        var draft = EntryDraft(id: context.ids.next(), kind: .debit, postings: postings)
        if short > 0 { draft.postings.append(Posting(.debt, short)) }
        draft.operation = operation
        draft.quantity = quantity
        draft.metadata = metadata
        return record(draft, atMs: context.nowMs)
    }

    /// Reserves `amount` until `expiresAtMs`; the part lots cannot cover is reserved against the
    /// overdraft.
    public mutating func hold<IDs>(
        amount: Credits, expiresAtMs: Int64, operation: String? = nil, quantity: Int64? = nil,
        metadata: [String: String] = [:], context: inout RuleContext<IDs>
    ) throws(Rejection) -> LedgerEntry {
        try account.checkCanSpend()
        try CreditLimits.validate(amount)
        guard expiresAtMs > context.nowMs else { throw .invalidHoldTTL }
        try checkCanCharge(amount)
        let (postings, short) = draw(amount, as: .reserve)
        let holdID = context.ids.next()
        let hold = Hold(
            id: holdID, amount: amount, reservations: [:], uncovered: 0, status: .pending,
            createdAtMs: context.nowMs, expiresAtMs: expiresAtMs, operation: operation,
            metadata: metadata, quantity: quantity)
        var draft = EntryDraft(id: holdID, kind: .hold, postings: postings, referenceID: holdID)
        if short > 0 { draft.postings.append(Posting(.uncovered, short)) }
        draft.openedHold = hold
        draft.operation = operation
        draft.quantity = quantity
        draft.metadata = metadata
        return record(draft, atMs: context.nowMs)
    }

    /// Captures `amount` (default: the held amount) from a pending hold and releases the rest.
    ///
    /// Capturing more than held takes the extra like a debit, and fails with nothing changed if
    /// the account cannot cover it.
    public mutating func capture<IDs>(
        hold holdID: HoldID, amount: Credits?, context: inout RuleContext<IDs>
    ) throws(Rejection) -> LedgerEntry {
        guard let hold = holds[holdID] else { throw .holdNotFound }
        let captured = amount ?? hold.amount
        try CreditLimits.validate(captured)
        let extra = max(0, captured - hold.held)
        if extra > 0 {
            // Taking more than was held is new spending, which a suspended account may not do.
            try account.checkCanSpend()
            try checkCanCharge(extra)
        }
        var postings = settlePostings(of: hold, taking: captured - extra, nowMs: context.nowMs)
        if extra > 0 {
            let (consumed, short) = draw(extra, as: .consume)
            postings += consumed
            if short > 0 { postings.append(Posting(.debt, short)) }
        }
        let draft = EntryDraft(
            id: context.ids.next(), kind: .capture, postings: postings, referenceID: holdID,
            operation: hold.operation, quantity: hold.quantity, metadata: hold.metadata)
        let entry = record(draft, atMs: context.nowMs)
        close(hold: holdID)
        return entry
    }

    /// Releases everything a pending hold reserved; `reason` is `voided` or `expired`.
    public mutating func release<IDs>(
        hold holdID: HoldID, reason: HoldStatus, context: inout RuleContext<IDs>
    ) throws(Rejection) -> LedgerEntry {
        guard let hold = holds[holdID] else { throw .holdNotFound }
        let draft = EntryDraft(
            id: context.ids.next(), kind: .release,
            postings: settlePostings(of: hold, taking: 0, nowMs: context.nowMs),
            referenceID: holdID, detail: reason.rawValue, operation: hold.operation)
        let entry = record(draft, atMs: context.nowMs)
        close(hold: holdID)
        return entry
    }

    /// Postings that take `taking` of a hold's reservation in burn-down order and release the rest.
    ///
    /// Taken lot parts are settled, a taken uncovered part becomes debt; released parts go back
    /// to their lots, or straight to expired when the lot expired while reserved.
    private func settlePostings(of hold: Hold, taking: Credits, nowMs: Int64) -> [Posting] {
        var left = taking
        var taken: [Posting] = []
        var released: [Posting] = []
        let reservedLots = hold.reservations.keys.compactMap { lots[$0] }
        for lot in BurnDown.sorted(reservedLots) {
            let reserved = hold.reservations[lot.id] ?? 0
            let take = min(reserved, left)
            left -= take
            if take > 0 { taken.append(Posting(.settle, lot: lot.id, take)) }
            if reserved > take {
                let kind: Posting.Kind = lot.isExpired(atMs: nowMs) ? .expireReserved : .unreserve
                released.append(Posting(kind, lot: lot.id, reserved - take))
            }
        }
        if hold.uncovered > 0 {
            let take = min(hold.uncovered, left)
            taken += take > 0 ? [Posting(.uncovered, -take), Posting(.debt, take)] : []
            if hold.uncovered > take { released.append(Posting(.uncovered, -(hold.uncovered - take))) }
        }
        return taken + released.reversed()
    }
}
