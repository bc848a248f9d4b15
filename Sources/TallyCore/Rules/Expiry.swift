/// The rules time applies on its own: holds past their expiry and lots past theirs.
extension AccountState {
    /// Whether anything in this account is due to expire at or before `nowMs`.
    public func hasExpiryDue(atMs nowMs: Int64) -> Bool {
        guard let earliest = earliestExpiryMs, earliest <= nowMs else { return false }
        return holds.values.contains { $0.expiresAtMs <= nowMs }
            || liveLotOrder.contains { lots[$0].map { $0.remaining > 0 && $0.isExpired(atMs: nowMs) } ?? false }
    }

    /// The earliest instant at which a hold or a lot will expire, if any.
    public var nextExpiryMs: Int64? {
        let holdExpiry = holds.values.map(\.expiresAtMs).min()
        // Only remaining credits are booked at a lot's expiry; reserved ones wait for their hold.
        let lotExpiry = liveLotOrder.compactMap { id -> Int64? in
            guard let lot = lots[id], lot.remaining > 0 else { return nil }
            return lot.expiresAtMs
        }.min()
        return [holdExpiry, lotExpiry].compactMap { $0 }.min()
    }

    /// Releases holds whose time has passed, then books the remaining credits of expired lots
    /// as expired; returns the entries, oldest first.
    public mutating func expire<IDs>(context: inout RuleContext<IDs>) -> [LedgerEntry] {
        guard hasExpiryDue(atMs: context.nowMs) else {
            // The cached bound was stale (what it pointed at was spent): tighten it.
            if let earliest = earliestExpiryMs, earliest <= context.nowMs { earliestExpiryMs = nextExpiryMs }
            return []
        }
        var entries: [LedgerEntry] = []
        let dueHolds = holds.values.filter { $0.expiresAtMs <= context.nowMs }
            .sorted { ($0.expiresAtMs, $0.id) < ($1.expiresAtMs, $1.id) }
        for hold in dueHolds {
            if let entry = try? release(hold: hold.id, reason: .expired, context: &context) {
                entries.append(entry)
            }
        }
        for lotID in liveLotOrder {
            guard let lot = lots[lotID], lot.isExpired(atMs: context.nowMs),
                let entry = expireEntry(lot, credits: lot.remaining, context: &context)
            else { continue }
            entries.append(entry)
        }
        return entries
    }
}
