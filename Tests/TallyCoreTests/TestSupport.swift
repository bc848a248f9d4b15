// Shared helpers: a counter for ids and a harness that runs each rule, replays what it returned
// and checks the invariants (balanced lots, replay reproduces the state, entry amounts) every time.
import Testing
import TallyCore

/// Ids from a plain counter, as the database sequence would give them.
struct IDCounter: IDSource {
    var last: Int64 = 0
    mutating func next() -> Int64 {
        last += 1
        return last
    }
}

/// An account under test: every rule goes through here so the invariants are checked after it.
struct Ledger {
    var state: AccountState
    /// Every entry the rules returned, oldest first.
    private(set) var entries: [LedgerEntry] = []
    /// A state built only by applying the returned entries, one at a time.
    private(set) var replica: AccountState
    var ids = IDCounter()
    /// Up to this many entries every check also replays the whole ledger from empty (beyond it,
    /// only the incremental replica is compared, as a full replay each step is quadratic).
    var fullReplayLimit = 64

    init(overdraft: Credits = 0, status: AccountStatus = .active) {
        let account = Account(
            id: "acct_1", status: status, overdraftLimit: overdraft, createdAtMs: 0)
        state = AccountState(account: account)
        replica = state
    }

    // MARK: rules

    @discardableResult
    mutating func credit(
        _ amount: Credits, source: LotSource = .topup, priority: Int? = nil,
        expiresAt: Int64? = nil, reference: String? = nil, at nowMs: Int64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws(Rejection) -> LedgerEntry {
        let request = CreditRequest(
            amount: amount, source: source, priority: priority, expiresAtMs: expiresAt,
            reference: reference)
        return try run(at: nowMs, sourceLocation) { (state, context) throws(Rejection) in
            [try state.credit(request, context: &context)]
        }[0]
    }

    @discardableResult
    mutating func debit(
        _ cost: Credits, at nowMs: Int64, sourceLocation: SourceLocation = #_sourceLocation
    ) throws(Rejection) -> LedgerEntry {
        try run(at: nowMs, sourceLocation) { (state, context) throws(Rejection) in
            [try state.debit(cost: cost, context: &context)]
        }[0]
    }

    /// Places a hold and returns its entry; the hold id is `entry.referenceID`.
    @discardableResult
    mutating func hold(
        _ amount: Credits, expiresAt: Int64, at nowMs: Int64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws(Rejection) -> LedgerEntry {
        try run(at: nowMs, sourceLocation) { (state, context) throws(Rejection) in
            [try state.hold(amount: amount, expiresAtMs: expiresAt, context: &context)]
        }[0]
    }

    @discardableResult
    mutating func capture(
        _ hold: HoldID, _ amount: Credits?, at nowMs: Int64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws(Rejection) -> LedgerEntry {
        try run(at: nowMs, sourceLocation) { (state, context) throws(Rejection) in
            [try state.capture(hold: hold, amount: amount, context: &context)]
        }[0]
    }

    @discardableResult
    mutating func release(
        _ hold: HoldID, reason: HoldStatus = .voided, at nowMs: Int64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws(Rejection) -> LedgerEntry {
        try run(at: nowMs, sourceLocation) { (state, context) throws(Rejection) in
            [try state.release(hold: hold, reason: reason, context: &context)]
        }[0]
    }

    /// Refunds from `debit` and returns the entry with the debit record updated.
    mutating func refund(
        _ debit: DebitRecord, _ amount: Credits?, at nowMs: Int64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws(Rejection) -> (entry: LedgerEntry, debit: DebitRecord) {
        var updated = debit
        let entry = try run(at: nowMs, sourceLocation) { (state, context) throws(Rejection) in
            let result = try state.refund(debit, amount: amount, context: &context)
            updated = result.debit
            return [result.entry]
        }[0]
        #expect(updated.refunded - debit.refunded == entry.postings.reduce(0) { total, posting in
            switch posting.kind {
            case .unconsume, .unconsumeExpired, .open: total + posting.amount
            case .debt: total - posting.amount
            default: total
            }
        }, "the debit record counts what the refund returned", sourceLocation: sourceLocation)
        return (entry, updated)
    }

    @discardableResult
    mutating func expire(at nowMs: Int64, sourceLocation: SourceLocation = #_sourceLocation)
        -> [LedgerEntry]
    {
        // expire never throws; the closure's typed throw is never used.
        (try? run(at: nowMs, sourceLocation) { (state, context) throws(Rejection) in
            state.expire(context: &context)
        }) ?? []
    }

    mutating func update(
        _ changes: AccountChanges, at nowMs: Int64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws(Rejection) {
        _ = try run(at: nowMs, sourceLocation) { (state, _) throws(Rejection) in
            try state.update(changes, nowMs: nowMs)
            return []
        }
        replica.account = state.account
    }

    /// Moves the account to `plan` (nil: no plan) with `timing`.
    @discardableResult
    mutating func changePlan(
        to plan: String?, timing: PlanChangeTiming = .nextPeriodStart, plans: [String: Plan], at nowMs: Int64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws(Rejection) -> AppliedPeriodStart? {
        var start: AppliedPeriodStart?
        _ = try run(at: nowMs, sourceLocation) { (state, context) throws(Rejection) in
            let result = try state.changePlan(to: plan, timing: timing, plans: plans, overdraftFromPlan: false, context: &context)
            start = result.start
            return result.entries
        }
        replica.account = state.account
        return start
    }

    /// Starts the periods due by `nowMs` and then expires what is due, as every request does.
    @discardableResult
    mutating func startDuePeriods(
        plans: [String: Plan], at nowMs: Int64, sourceLocation: SourceLocation = #_sourceLocation
    ) -> [AppliedPeriodStart] {
        var starts: [AppliedPeriodStart] = []
        _ = try? run(at: nowMs, sourceLocation) { (state, context) throws(Rejection) in
            let due = state.startDuePeriods(plans: plans, context: &context)
            starts = due.starts
            return due.entries + state.expire(context: &context)
        }
        replica.account = state.account
        return starts
    }

    /// The lineage record of a debit or capture entry.
    func record(of entry: LedgerEntry) -> DebitRecord {
        DebitRecord(entry: entry, account: state.account.id)
    }

    func lot(_ id: Int64?) -> Lot? { id.flatMap { state.lots[$0] } }

    // MARK: checking

    /// Runs a rule; a rejection must leave the state exactly as it was, a success is replayed
    /// and checked.
    private mutating func run(
        at nowMs: Int64, _ location: SourceLocation,
        _ rule: (inout AccountState, inout RuleContext<IDCounter>) throws(Rejection) -> [LedgerEntry]
    ) throws(Rejection) -> [LedgerEntry] {
        let before = state
        var context = RuleContext(nowMs: nowMs, ids: ids)
        let produced: [LedgerEntry]
        do {
            produced = try rule(&state, &context)
        } catch {
            #expect(state == before, "a rejected rule changed the state", sourceLocation: location)
            checkInvariants(location)
            throw error
        }
        ids = context.ids
        absorb(produced, location)
        return produced
    }

    /// Applies entries to the replica and checks each entry's amount and available_after.
    private mutating func absorb(_ produced: [LedgerEntry], _ location: SourceLocation) {
        for entry in produced {
            let before = replica.available
            #expect(entry.seq == replica.lastSeq + 1, "seq is gap-free", sourceLocation: location)
            #expect(
                replica.problem(applying: entry) == nil, "a rule's own entry is reported damaged",
                sourceLocation: location)
            replica.apply(entry)
            #expect(
                entry.amount == replica.available - before,
                "entry \(entry.kind) amount \(entry.amount) is not the change of available",
                sourceLocation: location)
            #expect(
                entry.availableAfter == replica.available, "available_after of \(entry.kind)",
                sourceLocation: location)
            entries.append(entry)
        }
        checkInvariants(location)
    }

    /// Invariants 1–3 plus the bookkeeping between holds and lots.
    func checkInvariants(
        fullReplay: Bool? = nil, _ location: SourceLocation = #_sourceLocation
    ) {
        let account = state.account
        for lot in state.lots.values {
            #expect(lot.isBalanced, "lot \(lot.id) unbalanced: \(lot)", sourceLocation: location)
            let fromHolds = state.holds.values.reduce(0) { $0 + ($1.reservations[lot.id] ?? 0) }
            #expect(
                lot.reserved == fromHolds, "lot \(lot.id) reserved ≠ Σ hold reservations",
                sourceLocation: location)
        }
        #expect(state.debt >= 0, sourceLocation: location)
        #expect(state.uncovered >= 0, sourceLocation: location)
        #expect(
            state.uncovered == state.holds.values.reduce(0) { $0 + $1.uncovered },
            "uncovered ≠ Σ hold.uncovered", sourceLocation: location)
        #expect(state.holds.values.allSatisfy { $0.status == .pending }, sourceLocation: location)
        #expect(
            state.available >= -account.overdraftLimit,
            "available \(state.available) below -overdraft", sourceLocation: location)
        #expect(
            state.debt + state.uncovered <= account.overdraftLimit,
            "debt above the overdraft limit", sourceLocation: location)
        #expect(
            state.liveLotOrder == BurnDown.sorted(state.liveLots).map(\.id),
            "live lots out of burn-down order", sourceLocation: location)
        #expect(
            Set(state.liveLotOrder)
                == Set(state.lots.values.filter { $0.remaining > 0 || $0.reserved > 0 }.map(\.id)),
            "live lots are exactly those with remaining or reserved credits",
            sourceLocation: location)
        #expect(
            state.balance.available == state.credits - state.debt - state.uncovered,
            sourceLocation: location)

        // The replica built entry by entry, and a fresh replay of every entry, match the state.
        // As the store reloads it: from its lots, pending holds and debt.
        let reloaded = AccountState(
            account: account, lots: Array(state.lots.values), holds: Array(state.holds.values),
            debt: state.debt, lastSeq: state.lastSeq)
        var replays = [("incremental replay", replica), ("reloaded from parts", reloaded)]
        if fullReplay ?? (entries.count <= fullReplayLimit) {
            var fresh = AccountState(account: account)
            for entry in entries { fresh.apply(entry) }
            replays.append(("replay from empty", fresh))
        }
        for (name, other) in replays {
            #expect(other.lots == state.lots, "\(name): lots differ", sourceLocation: location)
            #expect(other.holds == state.holds, "\(name): holds differ", sourceLocation: location)
            #expect(other.debt == state.debt, "\(name): debt differs", sourceLocation: location)
            #expect(
                other.uncovered == state.uncovered, "\(name): uncovered differs",
                sourceLocation: location)
            #expect(
                other.liveLotOrder == state.liveLotOrder, "\(name): live order differs",
                sourceLocation: location)
            #expect(other.lastSeq == state.lastSeq, "\(name): seq differs", sourceLocation: location)
        }
    }
}

/// Milliseconds helpers so tests read as times.
let second: Int64 = 1_000
let t0: Int64 = 1_700_000_000_000
