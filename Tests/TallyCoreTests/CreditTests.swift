// Incoming credits (top-up, grant, pack, allowance) repay debt first and the rest opens a lot
// with the request's (or the source's default) priority; bad expiry and priority are refused.
import Testing
import TallyCore

@Suite struct CreditTests {
    @Test func aTopUpOpensALot() throws {
        var ledger = Ledger()
        let entry = try ledger.credit(
            100, source: .topup, expiresAt: t0 + 3_600 * second, reference: "pay_1", at: t0)
        let lot = try #require(entry.openedLot)
        #expect(entry.kind == .credit && entry.detail == "topup")
        #expect(entry.referenceID == lot.id)
        #expect(entry.postings == [Posting(.open, lot: lot.id, 100)])
        #expect(entry.amount == 100 && entry.availableAfter == 100)
        #expect(lot.amount == 100 && lot.remaining == 100 && lot.priority == 10)
        #expect(lot.expiresAtMs == t0 + 3_600 * second && lot.createdAtMs == t0)
        #expect(lot.reference == "pay_1" && lot.source == .topup)
        #expect(ledger.state.lots[lot.id] == lot)
        #expect(ledger.state.balance == Balance(credits: 100, held: 0, debt: 0, available: 100, overdraftLimit: 0))
    }

    @Test(arguments: [
        (LotSource.allowance, 0), (.rollover, 0), (.grant, 5), (.topup, 10), (.pack, 10),
    ])
    func priorityDefaultsBySource(source: LotSource, priority: Int) throws {
        #expect(source.defaultPriority == priority)
        var ledger = Ledger()
        let lot = try #require(try ledger.credit(1, source: source, at: t0).openedLot)
        #expect(lot.priority == priority)
    }

    @Test func anExplicitPriorityWinsWithinRange() throws {
        var ledger = Ledger()
        #expect(try ledger.credit(1, source: .grant, priority: 0, at: t0).openedLot?.priority == 0)
        #expect(try ledger.credit(1, source: .topup, priority: 1_000, at: t0).openedLot?.priority == 1_000)
        #expect(throws: Rejection.invalidPriority) { try ledger.credit(1, priority: -1, at: t0) }
        #expect(throws: Rejection.invalidPriority) { try ledger.credit(1, priority: 1_001, at: t0) }
    }

    @Test func anExpiryNotInTheFutureIsRefused() throws {
        var ledger = Ledger()
        #expect(throws: Rejection.invalidExpiry) { try ledger.credit(5, expiresAt: t0 - 1, at: t0) }
        #expect(throws: Rejection.invalidExpiry) { try ledger.credit(5, expiresAt: t0, at: t0) }
        try ledger.credit(5, expiresAt: t0 + 1, at: t0)
        #expect(ledger.state.credits == 5)
    }

    @Test func debtIsRepaidFirstAndTheRestFormsTheLot() throws {
        var ledger = Ledger(overdraft: 100)
        try ledger.debit(40, at: t0)
        #expect(ledger.state.debt == 40 && ledger.state.available == -40)
        let entry = try ledger.credit(100, source: .pack, at: t0 + 1)
        let lot = try #require(entry.openedLot)
        #expect(entry.postings == [Posting(.debt, -40), Posting(.open, lot: lot.id, 60)])
        #expect(lot.amount == 60)
        #expect(entry.amount == 100 && entry.availableAfter == 60)
        #expect(ledger.state.debt == 0 && ledger.state.credits == 60)
    }

    @Test func aCreditSmallerThanTheDebtOpensNoLot() throws {
        var ledger = Ledger(overdraft: 100)
        try ledger.debit(40, at: t0)
        let partial = try ledger.credit(15, source: .grant, expiresAt: t0 + second, at: t0 + 1)
        #expect(partial.openedLot == nil && partial.referenceID == nil)
        #expect(partial.postings == [Posting(.debt, -15)])
        #expect(partial.amount == 15 && partial.availableAfter == -25)
        #expect(ledger.state.debt == 25 && ledger.state.lots.isEmpty)

        let exact = try ledger.credit(25, at: t0 + 2)
        #expect(exact.openedLot == nil && exact.postings == [Posting(.debt, -25)])
        #expect(ledger.state.debt == 0 && ledger.state.available == 0 && ledger.state.lots.isEmpty)
    }

    @Test func suspendedAccountsStillReceiveClosedOnesDoNot() throws {
        var ledger = Ledger()
        try ledger.update(AccountChanges(status: .suspended), at: t0)
        try ledger.credit(5, at: t0 + 1)
        #expect(ledger.state.credits == 5)
        try ledger.update(AccountChanges(status: .closed), at: t0 + 2)
        #expect(throws: Rejection.accountClosed) { try ledger.credit(5, at: t0 + 3) }
    }

    @Test func idsComeFromTheContext() throws {
        var ledger = Ledger()
        let a = try ledger.credit(1, at: t0)
        let b = try ledger.credit(1, at: t0)
        #expect(a.id == 1 && b.id == 2 && a.seq == 1 && b.seq == 2)
        #expect(ledger.state.lastSeq == 2)
    }
}
