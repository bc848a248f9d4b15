// Debit takes lots in burn-down order, lets the overdraft cover the rest as debt, and a
// denial (beyond overdraft, suspended, closed) changes nothing.
import Testing
import TallyCore

@Suite struct DebitTests {
    @Test func exactCoverEmptiesTheLot() throws {
        var ledger = Ledger()
        let lot = try ledger.credit(30, at: t0).referenceID!
        let entry = try ledger.debit(30, at: t0 + 1)
        #expect(entry.kind == .debit)
        #expect(entry.postings == [Posting(.consume, lot: lot, 30)])
        #expect(entry.amount == -30 && entry.availableAfter == 0)
        #expect(ledger.state.balance == Balance(credits: 0, held: 0, debt: 0, available: 0, overdraftLimit: 0))
        #expect(ledger.lot(lot)?.consumed == 30 && ledger.lot(lot)?.remaining == 0)
        #expect(ledger.state.liveLotOrder.isEmpty, "a spent lot leaves the live order")
        #expect(ledger.record(of: entry).debt == 0)
    }

    @Test func spanningLots() throws {
        var ledger = Ledger()
        let first = try ledger.credit(10, source: .allowance, at: t0).referenceID!
        let second = try ledger.credit(10, source: .grant, at: t0).referenceID!
        let third = try ledger.credit(10, source: .topup, at: t0).referenceID!
        let entry = try ledger.debit(25, at: t0 + 1)
        #expect(entry.postings == [
            Posting(.consume, lot: first, 10), Posting(.consume, lot: second, 10),
            Posting(.consume, lot: third, 5),
        ])
        #expect(entry.amount == -25 && entry.availableAfter == 5)
        #expect(ledger.state.liveLotOrder == [third])
        let record = ledger.record(of: entry)
        #expect(record.lotParts.map(\.amount) == [10, 10, 5])
        #expect(record.amount == 25)
        #expect(entry.debitedAmount == 25)
    }

    @Test func intoOverdraftCreatesDebt() throws {
        var ledger = Ledger(overdraft: 50)
        let lot = try ledger.credit(20, at: t0).referenceID!
        let entry = try ledger.debit(45, at: t0 + 1)
        #expect(entry.postings == [Posting(.consume, lot: lot, 20), Posting(.debt, 25)])
        #expect(entry.amount == -45 && entry.availableAfter == -25)
        #expect(ledger.state.debt == 25)
        #expect(ledger.state.balance.available == -25)
        let record = ledger.record(of: entry)
        #expect(record.debt == 25 && record.amount == 45)

        // Down to exactly -overdraft is allowed; one more credit is not.
        try ledger.debit(25, at: t0 + 2)
        #expect(ledger.state.available == -50 && ledger.state.debt == 50)
        #expect(throws: Rejection.insufficientCredits(available: -50, requested: 1)) {
            try ledger.debit(1, at: t0 + 3)
        }
    }

    @Test func beyondOverdraftIsRejectedAndChangesNothing() throws {
        var ledger = Ledger(overdraft: 10)
        try ledger.credit(20, at: t0)
        let before = ledger.state
        #expect(throws: Rejection.insufficientCredits(available: 20, requested: 31)) {
            try ledger.debit(31, at: t0 + 1)
        }
        #expect(ledger.state == before)
        #expect(ledger.entries.count == 1)
        try ledger.debit(30, at: t0 + 2)
        #expect(ledger.state.available == -10)
    }

    @Test func withoutOverdraftAnEmptyAccountRefusesEverything() throws {
        var ledger = Ledger()
        let before = ledger.state
        #expect(throws: Rejection.insufficientCredits(available: 0, requested: 1)) {
            try ledger.debit(1, at: t0)
        }
        #expect(ledger.state == before)
    }

    @Test(arguments: [(AccountStatus.suspended, Rejection.accountSuspended), (.closed, .accountClosed)])
    func inactiveAccountsCannotSpend(status: AccountStatus, rejection: Rejection) throws {
        var ledger = Ledger(overdraft: 100)
        try ledger.credit(50, at: t0)
        try ledger.update(AccountChanges(status: status), at: t0 + 1)
        let before = ledger.state
        #expect(throws: rejection) { try ledger.debit(1, at: t0 + 2) }
        #expect(throws: rejection) { try ledger.hold(1, expiresAt: t0 + 60 * second, at: t0 + 2) }
        #expect(ledger.state == before)
    }

    @Test func theDebitCarriesItsOperationAndMetadata() throws {
        var ledger = Ledger()
        try ledger.credit(5, at: t0)
        var context = RuleContext(nowMs: t0 + 1, ids: ledger.ids)
        let entry = try ledger.state.debit(
            cost: 2, operation: "search", metadata: ["req": "r1"], context: &context)
        #expect(entry.operation == "search" && entry.metadata == ["req": "r1"])
        let record = DebitRecord(entry: entry, account: "acct_1")
        #expect(record.operation == "search" && record.metadata == ["req": "r1"])
        #expect(record.holdID == nil && record.atMs == t0 + 1 && record.id == entry.id)
    }

    @Test func reservedCreditsAreNotSpendable() throws {
        var ledger = Ledger()
        let lot = try ledger.credit(10, at: t0).referenceID!
        try ledger.hold(7, expiresAt: t0 + 60 * second, at: t0)
        #expect(ledger.state.available == 3)
        #expect(throws: Rejection.insufficientCredits(available: 3, requested: 4)) {
            try ledger.debit(4, at: t0 + 1)
        }
        let entry = try ledger.debit(3, at: t0 + 1)
        #expect(entry.postings == [Posting(.consume, lot: lot, 3)])
        #expect(ledger.lot(lot)?.reserved == 7)
        #expect(ledger.state.liveLotOrder == [lot], "a lot with only reserved credits stays live")
    }
}
