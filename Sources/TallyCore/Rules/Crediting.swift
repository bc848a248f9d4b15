/// What an incoming lot of credits looks like before debt repayment.
public struct CreditRequest: Sendable, Hashable {
    public var amount: Credits
    public var source: LotSource
    /// Lower burns first; nil takes the source's default.
    public var priority: Int?
    public var expiresAtMs: Int64?
    public var reference: String?
    /// What the ledger entry names as the credit's origin (default: the source, e.g. `topup`;
    /// a pack purchase writes `pack:<name>`).
    public var label: String?

    /// Creates a request for incoming credits.
    public init(
        amount: Credits, source: LotSource, priority: Int? = nil, expiresAtMs: Int64? = nil,
        reference: String? = nil, label: String? = nil
    ) {
        self.amount = amount
        self.source = source
        self.priority = priority
        self.expiresAtMs = expiresAtMs
        self.reference = reference
        self.label = label
    }
}

/// The rules that bring credits in: top-ups, grants, packs and allowances.
extension AccountState {
    /// Adds credits: debt is repaid first and the rest forms a new lot.
    ///
    /// The entry's `openedLot` is nil when the whole amount went to debt.
    public mutating func credit<IDs>(
        _ request: CreditRequest, context: inout RuleContext<IDs>
    ) throws(Rejection) -> LedgerEntry {
        guard account.status != .closed else { throw .accountClosed }
        try CreditLimits.validate(request.amount)
        if let expiry = request.expiresAtMs, expiry <= context.nowMs { throw .invalidExpiry }
        let priority = request.priority ?? request.source.defaultPriority
        guard Limits.priority.contains(priority) else { throw .invalidPriority }
        _ = try CreditLimits.sum(credits + held + debt, request.amount)
        let repaid = min(debt, request.amount)
        let rest = request.amount - repaid
        var draft = EntryDraft(id: context.ids.next(), kind: .credit, detail: request.label ?? request.source.rawValue)
        if repaid > 0 { draft.postings.append(Posting(.debt, -repaid)) }
        if rest > 0 {
            let lot = Lot(
                id: draft.id, source: request.source, amount: rest, priority: priority,
                expiresAtMs: request.expiresAtMs, createdAtMs: context.nowMs,
                reference: request.reference)
            draft.openedLot = lot
            draft.referenceID = lot.id
            draft.postings.append(Posting(.open, lot: lot.id, rest))
        }
        return record(draft, atMs: context.nowMs)
    }
}
