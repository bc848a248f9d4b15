/// The rule that returns credits from a debit.
extension AccountState {
    /// Refunds `amount` (default: all that is left) of a debit, noting the operator's `reason`.
    ///
    /// The debt part is returned first: it reduces the account's debt, and any of it that was
    /// repaid since comes back as a new top-up lot. Then the lots get their credits back in
    /// reverse burn-down order; a lot that has expired meanwhile books them as expired, never
    /// resurrected. Returns the entry and the debit with its refund recorded.
    public mutating func refund<IDs>(
        _ debit: DebitRecord, amount: Credits?, reason: String? = nil, context: inout RuleContext<IDs>
    ) throws(Rejection) -> (entry: LedgerEntry, debit: DebitRecord) {
        let refundable = debit.refundable
        let requested = amount ?? refundable
        guard refundable > 0 else { throw .refundExceedsDebit(refundable: 0) }
        try CreditLimits.validate(requested)
        guard requested <= refundable else { throw .refundExceedsDebit(refundable: refundable) }
        _ = try CreditLimits.sum(credits + held + debt, requested)
        var updated = debit
        var left = requested
        var draft = EntryDraft(id: context.ids.next(), kind: .refund, referenceID: debit.id)
        // A refund counts against the same operation in usage reports.
        draft.operation = debit.operation
        // The operator's reason rides in the entry's metadata, where the ledger shows it.
        if let reason { draft.metadata = ["reason": reason] }
        let debtPart = min(left, debit.debt - debit.refundedDebt)
        if debtPart > 0 {
            left -= debtPart
            updated.refundedDebt += debtPart
            let forgiven = min(debtPart, debt)
            if forgiven > 0 { draft.postings.append(Posting(.debt, -forgiven)) }
            if debtPart > forgiven {
                let lot = Lot(
                    id: draft.id, source: .topup, amount: debtPart - forgiven,
                    priority: LotSource.topup.defaultPriority, expiresAtMs: nil,
                    createdAtMs: context.nowMs, reference: "refund:\(debit.id)")
                draft.openedLot = lot
                draft.postings.append(Posting(.open, lot: lot.id, lot.amount))
            }
        }
        for part in debit.lotParts.reversed() where left > 0 {
            let back = min(left, part.amount - (debit.refundedLots[part.lot] ?? 0))
            guard back > 0, let lot = lots[part.lot] else { continue }
            left -= back
            updated.refundedLots[part.lot, default: 0] += back
            let kind: Posting.Kind = lot.isExpired(atMs: context.nowMs) ? .unconsumeExpired : .unconsume
            draft.postings.append(Posting(kind, lot: part.lot, back))
        }
        precondition(left == 0, "a refund found less lineage than the debit recorded")
        return (record(draft, atMs: context.nowMs), updated)
    }
}
