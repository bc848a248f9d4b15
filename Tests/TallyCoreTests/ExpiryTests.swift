// Expiry books a lot's remaining credits as breakage (`expire` entries) at its instant exactly
// (expires_at == now is expired); after that they no longer count or pay.
import Testing
import TallyCore

@Suite struct ExpiryTests {
    @Test func aLotExpiresAtItsInstantExactly() throws {
        var ledger = Ledger()
        let lot = try ledger.credit(10, source: .grant, expiresAt: t0 + 100, at: t0).referenceID!
        #expect(ledger.lot(lot)?.isExpired(atMs: t0 + 99) == false)
        #expect(ledger.lot(lot)?.isExpired(atMs: t0 + 100) == true)
        #expect(ledger.state.nextExpiryMs == t0 + 100)
        #expect(!ledger.state.hasExpiryDue(atMs: t0 + 99))
        #expect(ledger.expire(at: t0 + 99).isEmpty)
        #expect(ledger.state.credits == 10)

        let entries = ledger.expire(at: t0 + 100)
        let entry = try #require(entries.first)
        #expect(entries.count == 1)
        #expect(entry.kind == .expire && entry.referenceID == lot && entry.detail == "grant")
        #expect(entry.postings == [Posting(.expire, lot: lot, 10)])
        #expect(entry.amount == -10 && entry.availableAfter == 0 && entry.atMs == t0 + 100)
        #expect(ledger.lot(lot)?.expired == 10 && ledger.lot(lot)?.remaining == 0)
        #expect(ledger.state.liveLotOrder.isEmpty && ledger.state.credits == 0)
        #expect(ledger.state.nextExpiryMs == nil && !ledger.state.hasExpiryDue(atMs: .max))
        #expect(ledger.expire(at: t0 + 200).isEmpty, "a lot expires once")
    }

    @Test func onlyTheRemainingPartIsBreakage() throws {
        var ledger = Ledger()
        let lot = try ledger.credit(10, expiresAt: t0 + 100, at: t0).referenceID!
        try ledger.debit(7, at: t0 + 1)
        let entries = ledger.expire(at: t0 + 100)
        #expect(entries.map(\.postings) == [[Posting(.expire, lot: lot, 3)]])
        let after = try #require(ledger.lot(lot))
        #expect(after.consumed == 7 && after.expired == 3)
    }

    @Test func severalLotsExpireInBurnDownOrderInOneSweep() throws {
        var ledger = Ledger()
        let later = try ledger.credit(5, source: .topup, expiresAt: t0 + 200, at: t0).referenceID!
        let sooner = try ledger.credit(7, source: .topup, expiresAt: t0 + 100, at: t0).referenceID!
        let grant = try ledger.credit(3, source: .grant, expiresAt: t0 + 300, at: t0).referenceID!
        let never = try ledger.credit(11, source: .topup, at: t0).referenceID!
        let entries = ledger.expire(at: t0 + 300)
        #expect(entries.map(\.referenceID) == [grant, sooner, later])
        #expect(entries.map(\.amount) == [-3, -7, -5])
        #expect(entries.map(\.availableAfter) == [23, 16, 11])
        #expect(entries.map(\.seq) == [5, 6, 7])
        #expect(ledger.state.liveLotOrder == [never])
        let breakage = entries.filter { $0.kind == .expire }.reduce(0) { $0 - $1.amount }
        #expect(breakage == 15)
        #expect(ledger.state.lots.values.reduce(0) { $0 + $1.expired } == 15)
    }

    @Test func neverExpiringLotsNeverExpire() throws {
        var ledger = Ledger()
        try ledger.credit(10, at: t0)
        #expect(ledger.state.nextExpiryMs == nil)
        #expect(!ledger.state.hasExpiryDue(atMs: .max))
        #expect(ledger.expire(at: .max).isEmpty)
        #expect(ledger.state.credits == 10)
    }

    @Test func expiredCreditsNoLongerPay() throws {
        var ledger = Ledger(overdraft: 5)
        try ledger.credit(10, expiresAt: t0 + 100, at: t0)
        ledger.expire(at: t0 + 100)
        #expect(ledger.state.available == 0)
        #expect(throws: Rejection.insufficientCredits(available: 0, requested: 6)) {
            try ledger.debit(6, at: t0 + 100)
        }
        let entry = try ledger.debit(5, at: t0 + 100)
        #expect(entry.postings == [Posting(.debt, 5)], "the expired lot pays nothing")
    }

    @Test func holdsAreReleasedBeforeLotsAreSweptAtTheSameInstant() throws {
        var ledger = Ledger()
        let lot = try ledger.credit(10, expiresAt: t0 + 100, at: t0).referenceID!
        let holdID = try ledger.hold(4, expiresAt: t0 + 100, at: t0).referenceID!
        let entries = ledger.expire(at: t0 + 100)
        #expect(entries.map(\.kind) == [.release, .expire])
        #expect(entries[0].referenceID == holdID && entries[0].detail == "expired")
        #expect(entries[0].postings == [Posting(.expireReserved, lot: lot, 4)])
        #expect(entries[1].postings == [Posting(.expire, lot: lot, 6)])
        #expect(ledger.lot(lot)?.expired == 10 && ledger.state.holds.isEmpty)
    }

    @Test func nextExpiryIsTheEarliestOfHoldsAndLots() throws {
        var ledger = Ledger()
        try ledger.credit(10, expiresAt: t0 + 500, at: t0)
        #expect(ledger.state.nextExpiryMs == t0 + 500)
        try ledger.hold(2, expiresAt: t0 + 300, at: t0)
        #expect(ledger.state.nextExpiryMs == t0 + 300)
        ledger.expire(at: t0 + 300)
        #expect(ledger.state.nextExpiryMs == t0 + 500)
    }

    @Test func aFullyReservedExpiredLotIsNotDueAgainUntilItsHold() throws {
        // Once the lot's expiry has passed with everything reserved, the next thing due is the
        // hold's expiry, not the lot's (already past) instant.
        var ledger = Ledger()
        try ledger.credit(10, expiresAt: t0 + 100, at: t0)
        try ledger.hold(10, expiresAt: t0 + 500, at: t0)
        #expect(ledger.state.nextExpiryMs == t0 + 500)
        #expect(ledger.expire(at: t0 + 100).isEmpty)
        #expect(!ledger.state.hasExpiryDue(atMs: t0 + 499))
        #expect(ledger.state.nextExpiryMs == t0 + 500)
        #expect(ledger.expire(at: t0 + 500).map(\.kind) == [.release])
        #expect(ledger.state.nextExpiryMs == nil)
    }
}
