// Holds reserve in burn-down order (the uncovered part against the overdraft); capture takes
// less, equal or more than held; void and expiry release; all atomically.
import Testing
import TallyCore

@Suite struct HoldTests {
    let ttl = 300 * second

    @Test func aHoldReservesInBurnDownOrder() throws {
        var ledger = Ledger()
        let first = try ledger.credit(10, source: .grant, at: t0).referenceID!
        let second = try ledger.credit(10, source: .topup, at: t0).referenceID!
        let entry = try ledger.hold(15, expiresAt: t0 + ttl, at: t0 + 1)
        let holdID = try #require(entry.referenceID)
        #expect(entry.kind == .hold && entry.id == holdID)
        #expect(entry.postings == [Posting(.reserve, lot: first, 10), Posting(.reserve, lot: second, 5)])
        #expect(entry.amount == -15 && entry.availableAfter == 5)
        let hold = try #require(ledger.state.holds[holdID])
        #expect(hold.reservations == [first: 10, second: 5] && hold.uncovered == 0)
        #expect(hold.held == 15 && hold.status == .pending && hold.expiresAtMs == t0 + ttl)
        #expect(ledger.state.balance == Balance(credits: 5, held: 15, debt: 0, available: 5, overdraftLimit: 0))
    }

    @Test func aHoldNeedsAFutureExpiryAndEnoughCredit() throws {
        var ledger = Ledger(overdraft: 5)
        try ledger.credit(10, at: t0)
        #expect(throws: Rejection.invalidHoldTTL) { try ledger.hold(1, expiresAt: t0, at: t0) }
        #expect(throws: Rejection.invalidHoldTTL) { try ledger.hold(1, expiresAt: t0 - 1, at: t0) }
        #expect(throws: Rejection.insufficientCredits(available: 10, requested: 16)) {
            try ledger.hold(16, expiresAt: t0 + ttl, at: t0)
        }
        #expect(ledger.state.holds.isEmpty && ledger.entries.count == 1)
    }

    @Test func capturingLessReleasesTheRestInReverseOrder() throws {
        var ledger = Ledger()
        let first = try ledger.credit(10, source: .allowance, at: t0).referenceID!
        let second = try ledger.credit(10, source: .topup, at: t0).referenceID!
        let holdID = try ledger.hold(18, expiresAt: t0 + ttl, at: t0).referenceID!
        let entry = try ledger.capture(holdID, 12, at: t0 + 1)
        #expect(entry.kind == .capture && entry.referenceID == holdID)
        #expect(entry.postings == [
            Posting(.settle, lot: first, 10), Posting(.settle, lot: second, 2),
            Posting(.unreserve, lot: second, 6),
        ])
        #expect(entry.amount == 6 && entry.availableAfter == 8)
        #expect(ledger.state.holds.isEmpty)
        #expect(ledger.lot(first)?.consumed == 10 && ledger.lot(second)?.consumed == 2)
        #expect(ledger.lot(second)?.remaining == 8 && ledger.lot(second)?.reserved == 0)
        let record = ledger.record(of: entry)
        #expect(record.amount == 12 && record.holdID == holdID && record.debt == 0)
        #expect(entry.debitedAmount == 12)
    }

    @Test func capturingExactlyTheHeldAmount() throws {
        var ledger = Ledger()
        let lot = try ledger.credit(10, at: t0).referenceID!
        let holdID = try ledger.hold(10, expiresAt: t0 + ttl, at: t0).referenceID!
        let entry = try ledger.capture(holdID, nil, at: t0 + 1)
        #expect(entry.postings == [Posting(.settle, lot: lot, 10)])
        #expect(entry.amount == 0 && entry.availableAfter == 0)
        #expect(ledger.state.liveLotOrder.isEmpty && ledger.state.holds.isEmpty)
    }

    @Test func capturingMoreTakesTheExtraLikeADebit() throws {
        var ledger = Ledger(overdraft: 20)
        let first = try ledger.credit(10, source: .grant, at: t0).referenceID!
        let second = try ledger.credit(10, source: .topup, at: t0).referenceID!
        let holdID = try ledger.hold(8, expiresAt: t0 + ttl, at: t0).referenceID!
        // 8 held from the grant; 2 more from the grant, 10 from the top-up, 5 as debt.
        let entry = try ledger.capture(holdID, 25, at: t0 + 1)
        #expect(entry.postings == [
            Posting(.settle, lot: first, 8), Posting(.consume, lot: first, 2),
            Posting(.consume, lot: second, 10), Posting(.debt, 5),
        ])
        #expect(entry.amount == -17 && entry.availableAfter == -5)
        #expect(ledger.state.debt == 5)
        let record = ledger.record(of: entry)
        #expect(record.amount == 25 && record.debt == 5)
        #expect(record.lotParts.map(\.lot) == [first, second] && record.lotParts.map(\.amount) == [10, 10])
    }

    @Test func capturingMoreThanTheOverdraftAllowsFailsWithTheHoldUntouched() throws {
        var ledger = Ledger(overdraft: 5)
        try ledger.credit(10, at: t0)
        let holdID = try ledger.hold(8, expiresAt: t0 + ttl, at: t0).referenceID!
        let before = ledger.state
        #expect(throws: Rejection.insufficientCredits(available: 2, requested: 8)) {
            try ledger.capture(holdID, 16, at: t0 + 1)
        }
        #expect(ledger.state == before)
        #expect(ledger.state.holds[holdID]?.held == 8)
        // At exactly the limit it goes through.
        try ledger.capture(holdID, 15, at: t0 + 2)
        #expect(ledger.state.available == -5 && ledger.state.debt == 5)
    }

    @Test func voidReleasesEverything() throws {
        var ledger = Ledger()
        let first = try ledger.credit(10, source: .grant, at: t0).referenceID!
        let second = try ledger.credit(10, source: .topup, at: t0).referenceID!
        let holdID = try ledger.hold(15, expiresAt: t0 + ttl, at: t0).referenceID!
        let entry = try ledger.release(holdID, reason: .voided, at: t0 + 1)
        #expect(entry.kind == .release && entry.detail == "voided" && entry.referenceID == holdID)
        #expect(entry.postings == [Posting(.unreserve, lot: second, 5), Posting(.unreserve, lot: first, 10)])
        #expect(entry.amount == 15 && entry.availableAfter == 20)
        #expect(ledger.state.holds.isEmpty && ledger.state.available == 20)
        #expect(ledger.state.liveLotOrder == [first, second])
    }

    @Test func aSettledHoldIsGone() throws {
        var ledger = Ledger()
        try ledger.credit(10, at: t0)
        let holdID = try ledger.hold(5, expiresAt: t0 + ttl, at: t0).referenceID!
        try ledger.capture(holdID, 5, at: t0 + 1)
        #expect(throws: Rejection.holdNotFound) { try ledger.capture(holdID, 5, at: t0 + 2) }
        #expect(throws: Rejection.holdNotFound) { try ledger.release(holdID, at: t0 + 2) }
        #expect(throws: Rejection.holdNotFound) { try ledger.capture(999, nil, at: t0 + 2) }
    }

    @Test func aHoldIsReleasedByExpiryAtItsInstant() throws {
        var ledger = Ledger()
        let lot = try ledger.credit(10, at: t0).referenceID!
        let holdID = try ledger.hold(4, expiresAt: t0 + ttl, at: t0).referenceID!
        #expect(ledger.state.nextExpiryMs == t0 + ttl)
        #expect(!ledger.state.hasExpiryDue(atMs: t0 + ttl - 1))
        #expect(ledger.expire(at: t0 + ttl - 1).isEmpty)
        #expect(ledger.state.hasExpiryDue(atMs: t0 + ttl))
        let entries = ledger.expire(at: t0 + ttl)
        #expect(entries.count == 1)
        #expect(entries.first?.kind == .release && entries.first?.detail == "expired")
        #expect(entries.first?.referenceID == holdID)
        #expect(entries.first?.postings == [Posting(.unreserve, lot: lot, 4)])
        #expect(ledger.state.holds.isEmpty && ledger.state.available == 10)
        #expect(ledger.state.nextExpiryMs == nil)
    }

    @Test func holdsExpireOldestFirst() throws {
        var ledger = Ledger()
        try ledger.credit(10, at: t0)
        let late = try ledger.hold(2, expiresAt: t0 + 20, at: t0).referenceID!
        let early = try ledger.hold(3, expiresAt: t0 + 10, at: t0).referenceID!
        let entries = ledger.expire(at: t0 + 30)
        #expect(entries.map(\.referenceID) == [early, late])
    }

    @Test func theUncoveredPartIsReservedAgainstTheOverdraft() throws {
        var ledger = Ledger(overdraft: 50)
        let lot = try ledger.credit(10, at: t0).referenceID!
        let entry = try ledger.hold(30, expiresAt: t0 + ttl, at: t0)
        let holdID = try #require(entry.referenceID)
        #expect(entry.postings == [Posting(.reserve, lot: lot, 10), Posting(.uncovered, 20)])
        #expect(entry.amount == -30 && entry.availableAfter == -20)
        #expect(ledger.state.uncovered == 20 && ledger.state.debt == 0)
        #expect(ledger.state.holds[holdID]?.uncovered == 20 && ledger.state.holds[holdID]?.held == 30)
        #expect(ledger.state.balance == Balance(credits: 0, held: 30, debt: 0, available: -20, overdraftLimit: 50))
        // The overdraft left is 30: a debit of 31 is refused, a second hold of 30 is not.
        #expect(throws: Rejection.insufficientCredits(available: -20, requested: 31)) {
            try ledger.debit(31, at: t0 + 1)
        }
        let second = try ledger.hold(30, expiresAt: t0 + ttl, at: t0 + 1)
        #expect(second.postings == [Posting(.uncovered, 30)])
        #expect(ledger.state.available == -50)
    }

    @Test func capturingAPartlyUncoveredHoldTurnsTheTakenUncoveredPartIntoDebt() throws {
        var ledger = Ledger(overdraft: 50)
        let lot = try ledger.credit(10, at: t0).referenceID!
        let holdID = try ledger.hold(30, expiresAt: t0 + ttl, at: t0).referenceID!
        let entry = try ledger.capture(holdID, 25, at: t0 + 1)
        #expect(entry.postings == [
            Posting(.settle, lot: lot, 10), Posting(.uncovered, -15), Posting(.debt, 15),
            Posting(.uncovered, -5),
        ])
        #expect(entry.amount == 5 && entry.availableAfter == -15)
        #expect(ledger.state.debt == 15 && ledger.state.uncovered == 0)
        let record = ledger.record(of: entry)
        #expect(record.amount == 25 && record.debt == 15)
    }

    @Test func capturingMoreThanAPartlyUncoveredHold() throws {
        var ledger = Ledger(overdraft: 50)
        try ledger.credit(10, at: t0)
        let holdID = try ledger.hold(30, expiresAt: t0 + ttl, at: t0).referenceID!
        #expect(throws: Rejection.insufficientCredits(available: -20, requested: 31)) {
            try ledger.capture(holdID, 61, at: t0 + 1)
        }
        let entry = try ledger.capture(holdID, 60, at: t0 + 1)
        #expect(entry.amount == -30 && entry.availableAfter == -50)
        #expect(ledger.state.debt == 50 && ledger.state.uncovered == 0)
        #expect(ledger.record(of: entry).debt == 50)
    }

    @Test func voidingAnUncoveredHoldGivesTheOverdraftBack() throws {
        var ledger = Ledger(overdraft: 50)
        let lot = try ledger.credit(10, at: t0).referenceID!
        let holdID = try ledger.hold(30, expiresAt: t0 + ttl, at: t0).referenceID!
        let entry = try ledger.release(holdID, at: t0 + 1)
        #expect(entry.postings == [Posting(.uncovered, -20), Posting(.unreserve, lot: lot, 10)])
        #expect(entry.amount == 30 && ledger.state.available == 10 && ledger.state.uncovered == 0)
    }

    @Test func aFullyUncoveredHoldExpires() throws {
        var ledger = Ledger(overdraft: 50)
        let holdID = try ledger.hold(30, expiresAt: t0 + ttl, at: t0).referenceID!
        #expect(ledger.state.holds[holdID]?.reservations.isEmpty == true)
        let entries = ledger.expire(at: t0 + ttl)
        #expect(entries.map(\.postings) == [[Posting(.uncovered, -30)]])
        #expect(ledger.state.available == 0 && ledger.state.uncovered == 0)
    }

    @Test func creditsArrivingWhileAHoldIsUncoveredFormALot() throws {
        // The uncovered part is not debt: a top-up does not repay it, it stays reserved against
        // the overdraft until the hold settles.
        var ledger = Ledger(overdraft: 50)
        let holdID = try ledger.hold(30, expiresAt: t0 + ttl, at: t0).referenceID!
        let lot = try #require(try ledger.credit(40, at: t0 + 1).openedLot)
        #expect(lot.amount == 40 && ledger.state.available == 10)
        let entry = try ledger.capture(holdID, 30, at: t0 + 2)
        #expect(entry.postings == [Posting(.uncovered, -30), Posting(.debt, 30)])
        #expect(ledger.state.debt == 30 && ledger.state.credits == 40 && ledger.state.available == 10)
    }

    @Test func aLotExpiringWhileReservedKeepsTheReservedPartUntilTheHoldSettles() throws {
        var ledger = Ledger()
        let expiring = try ledger.credit(10, source: .grant, expiresAt: t0 + 100 * second, at: t0).referenceID!
        let lasting = try ledger.credit(10, source: .topup, at: t0).referenceID!
        let holdID = try ledger.hold(14, expiresAt: t0 + 600 * second, at: t0 + 1).referenceID!
        #expect(ledger.state.holds[holdID]?.reservations == [expiring: 10, lasting: 4])

        // The lot expires: nothing to book as it has no remaining; the reservation stays.
        let atExpiry = ledger.expire(at: t0 + 100 * second)
        #expect(atExpiry.isEmpty)
        #expect(ledger.lot(expiring)?.reserved == 10 && ledger.lot(expiring)?.expired == 0)
        #expect(ledger.state.liveLotOrder.contains(expiring))

        // Capturing 6 takes from the expired lot first; its other 4 go straight to expired.
        let entry = try ledger.capture(holdID, 6, at: t0 + 200 * second)
        #expect(entry.postings == [
            Posting(.settle, lot: expiring, 6), Posting(.unreserve, lot: lasting, 4),
            Posting(.expireReserved, lot: expiring, 4),
        ])
        #expect(entry.amount == 4, "only the release to the live lot adds to available")
        let lot = try #require(ledger.lot(expiring))
        #expect(lot.consumed == 6 && lot.expired == 4 && lot.remaining == 0 && lot.reserved == 0)
        #expect(ledger.state.liveLotOrder == [lasting])
        #expect(ledger.state.available == 10)
    }

    @Test func aLotPartlyReservedExpiresItsRemainingAndLaterItsReleasedPart() throws {
        var ledger = Ledger()
        let lot = try ledger.credit(10, expiresAt: t0 + 100, at: t0).referenceID!
        let holdID = try ledger.hold(4, expiresAt: t0 + 500, at: t0).referenceID!
        let atLotExpiry = ledger.expire(at: t0 + 100)
        #expect(atLotExpiry.map(\.kind) == [.expire])
        #expect(atLotExpiry.first?.postings == [Posting(.expire, lot: lot, 6)])
        #expect(atLotExpiry.first?.amount == -6)
        #expect(ledger.lot(lot)?.reserved == 4 && ledger.lot(lot)?.expired == 6)
        #expect(ledger.state.available == 0)
        // Between the lot's expiry and the hold's, nothing is due.
        #expect(!ledger.state.hasExpiryDue(atMs: t0 + 200))
        if let next = ledger.state.nextExpiryMs {
            #expect(next > t0 + 100, "the next expiry must be something still to do")
        }
        let atHoldExpiry = ledger.expire(at: t0 + 500)
        #expect(atHoldExpiry.map(\.postings) == [[Posting(.expireReserved, lot: lot, 4)]])
        #expect(atHoldExpiry.first?.amount == 0)
        #expect(ledger.lot(lot)?.expired == 10 && ledger.state.liveLotOrder.isEmpty)
        _ = holdID
    }

    @Test func voidAfterTheLotExpiredBooksTheReleasedPartAsExpired() throws {
        var ledger = Ledger()
        let lot = try ledger.credit(10, expiresAt: t0 + 100, at: t0).referenceID!
        let holdID = try ledger.hold(10, expiresAt: t0 + 500, at: t0).referenceID!
        // No sweep ran: the void itself sees the lot expired at its instant.
        let entry = try ledger.release(holdID, at: t0 + 100)
        #expect(entry.postings == [Posting(.expireReserved, lot: lot, 10)])
        #expect(entry.amount == 0 && ledger.state.available == 0)
    }

    @Test func capturesAndVoidsOnASuspendedAccountStillSettle() throws {
        var ledger = Ledger()
        try ledger.credit(10, at: t0)
        let a = try ledger.hold(3, expiresAt: t0 + ttl, at: t0).referenceID!
        let b = try ledger.hold(3, expiresAt: t0 + ttl, at: t0).referenceID!
        try ledger.update(AccountChanges(status: .suspended), at: t0 + 1)
        try ledger.capture(a, 3, at: t0 + 2)
        try ledger.release(b, at: t0 + 2)
        #expect(ledger.state.available == 7 && ledger.state.holds.isEmpty)
    }
}
