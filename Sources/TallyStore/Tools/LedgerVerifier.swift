import TallyCore

/// Checks the invariants of DESIGN §3 on a database: every lot splits exactly, the ledger
/// replayed from empty reproduces every lot, hold and debt, and no account is past its limit.
///
/// Tools run it through ``StoreInspection/verify()``.
public struct LedgerVerifier {
    /// One broken invariant.
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        public let account: String
        public let message: String
        public var description: String { "\(account): \(message)" }
    }

    private let connection: Connection

    /// Creates a verifier reading through `connection`.
    init(connection: Connection) { self.connection = connection }

    /// Verifies every account and returns what is wrong; empty means clean.
    func verify() throws(StoreError) -> (accounts: Int, violations: [Violation]) {
        var violations: [Violation] = []
        var after: String?
        var count = 0
        while true {
            let page = try connection.accounts(after: after, limit: 500)
            guard let last = page.last else { break }
            for (account, debt) in page {
                violations += try verify(account: account, debt: debt)
            }
            count += page.count
            after = last.0.id
        }
        return (count, violations)
    }

    /// Verifies one account by replaying its ledger.
    func verify(account: Account, debt: Credits) throws(StoreError) -> [Violation] {
        var problems: [String] = []
        let storedLots = try connection.lots(account: account.id)
        let lotsByID = Dictionary(uniqueKeysWithValues: storedLots.map { ($0.id, $0) })
        let holds = try connection.holds(account: account.id)
        let holdsByID = Dictionary(uniqueKeysWithValues: holds.map { ($0.id, $0) })
        for lot in storedLots where !lot.isBalanced { problems.append("lot \(lot.id) does not split exactly") }
        var replay = AccountState(account: account)
        var refunds: [Int64: (lots: [LotID: Credits], debt: Credits)] = [:]
        var debited: [Int64: Credits] = [:]
        var afterSeq: Int64 = 0
        replaying: while true {
            let page = try connection.entries(EntryQuery(account: account.id, afterSeq: afterSeq, limit: 1_000))
            guard let last = page.last else { break }
            for stored in page {
                let entry = Self.withOpenings(stored, lots: lotsByID, holds: holdsByID)
                if let problem = replay.problem(applying: entry) {
                    problems.append(problem)
                    break replaying
                }
                let before = replay.available
                replay.apply(entry)
                if entry.kind == .capture || entry.kind == .release, let hold = entry.referenceID {
                    replay.close(hold: hold)
                }
                if replay.available != entry.availableAfter || replay.available - before != entry.amount {
                    problems.append("entry \(entry.id) records available \(entry.availableAfter), replay gives \(replay.available)")
                }
                if entry.kind.isDebit { debited[entry.id] = entry.debitedAmount }
                if entry.kind == .refund, let debit = entry.referenceID {
                    Self.count(refund: entry, into: &refunds[debit, default: ([:], 0)])
                }
            }
            afterSeq = last.seq
        }
        problems += compare(replay, storedLots: storedLots, holds: holds, debt: debt)
        problems += try compareRefunds(refunds, debited: debited)
        if replay.available < -account.overdraftLimit { problems.append("available \(replay.available) is below -overdraft_limit") }
        if debt > account.overdraftLimit { problems.append("debt \(debt) exceeds overdraft_limit \(account.overdraftLimit)") }
        return problems.map { Violation(account: account.id, message: $0) }
    }

    private static func withOpenings(_ entry: LedgerEntry, lots: [LotID: Lot], holds: [HoldID: Hold]) -> LedgerEntry {
        let opened = entry.postings.first { $0.kind == .open }.flatMap { lots[$0.lot] }
        let hold = entry.kind == .hold ? entry.referenceID.flatMap { holds[$0] } : nil
        return LedgerEntry(
            id: entry.id, seq: entry.seq, atMs: entry.atMs, kind: entry.kind, amount: entry.amount,
            availableAfter: entry.availableAfter, postings: entry.postings, referenceID: entry.referenceID,
            detail: entry.detail, openedLot: opened, openedHold: hold, operation: entry.operation,
            metadata: entry.metadata, quantity: entry.quantity)
    }

    private static func count(refund entry: LedgerEntry, into total: inout (lots: [LotID: Credits], debt: Credits)) {
        for posting in entry.postings {
            switch posting.kind {
            case .unconsume, .unconsumeExpired: total.lots[posting.lot, default: 0] += posting.amount
            case .debt: total.debt -= posting.amount
            case .open: total.debt += posting.amount
            default: break
            }
        }
    }

    private func compare(_ replay: AccountState, storedLots: [Lot], holds: [Hold], debt: Credits) -> [String] {
        var problems: [String] = []
        for lot in storedLots {
            guard let replayed = replay.lots[lot.id] else {
                problems.append("lot \(lot.id) has no ledger entry that opened it")
                continue
            }
            if (replayed.remaining, replayed.reserved, replayed.consumed, replayed.expired)
                != (lot.remaining, lot.reserved, lot.consumed, lot.expired)
            {
                problems.append("lot \(lot.id) is \(Self.split(lot)) but the ledger gives \(Self.split(replayed))")
            }
        }
        if replay.lots.count != storedLots.count { problems.append("the ledger opens lots that are not stored") }
        let pending = holds.filter { $0.status == .pending }
        if Set(pending.map(\.id)) != Set(replay.holds.keys) { problems.append("pending holds differ from the ledger") }
        for hold in pending where replay.holds[hold.id].map({ $0.reservations != hold.reservations || $0.uncovered != hold.uncovered }) ?? false {
            problems.append("hold \(hold.id) reservations differ from the ledger")
        }
        if replay.debt != debt { problems.append("debt is \(debt) but the ledger gives \(replay.debt)") }
        return problems
    }

    private func compareRefunds(_ refunds: [Int64: (lots: [LotID: Credits], debt: Credits)], debited: [Int64: Credits]) throws(StoreError) -> [String] {
        var problems: [String] = []
        for (debitID, total) in refunds {
            guard let stored = try connection.debit(id: debitID) else {
                problems.append("refund of unknown debit \(debitID)")
                continue
            }
            if stored.refundedLots != total.lots || stored.refundedDebt != total.debt {
                problems.append("debit \(debitID) refund record differs from its refund entries")
            }
            if stored.refunded > (debited[debitID] ?? 0) { problems.append("debit \(debitID) refunded more than it took") }
        }
        return problems
    }

    private static func split(_ lot: Lot) -> String {
        "remaining \(lot.remaining), reserved \(lot.reserved), consumed \(lot.consumed), expired \(lot.expired)"
    }
}
