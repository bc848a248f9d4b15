// Refunds return credits to the lots a debit came from in reverse burn-down order: debt part
// first, expired lots book them as expired, repaid debt comes back as a top-up lot, never more
// than was debited.
import Testing
import TallyCore

@Suite struct RefundTests {
    /// Three lots of 10 (allowance, grant, top-up) and a debit of 25 across them.
    func spanningDebit() throws -> (Ledger, DebitRecord, [LotID]) {
        var ledger = Ledger()
        let a = try ledger.credit(10, source: .allowance, expiresAt: t0 + 1_000, at: t0).referenceID!
        let b = try ledger.credit(10, source: .grant, at: t0).referenceID!
        let c = try ledger.credit(10, source: .topup, at: t0).referenceID!
        let debit = ledger.record(of: try ledger.debit(25, at: t0 + 1))
        return (ledger, debit, [a, b, c])
    }

    @Test func aFullRefundReturnsEveryLotItsPart() throws {
        var (ledger, debit, lots) = try spanningDebit()
        let (entry, updated) = try ledger.refund(debit, nil, at: t0 + 2)
        #expect(entry.kind == .refund && entry.referenceID == debit.id)
        #expect(entry.postings == [
            Posting(.unconsume, lot: lots[2], 5), Posting(.unconsume, lot: lots[1], 10),
            Posting(.unconsume, lot: lots[0], 10),
        ])
        #expect(entry.amount == 25 && entry.availableAfter == 30)
        #expect(updated.refunded == 25 && updated.refundable == 0)
        #expect(updated.refundedLots == [lots[0]: 10, lots[1]: 10, lots[2]: 5])
        #expect(ledger.state.liveLotOrder == lots, "refunded lots are live again, in order")
        #expect(lots.allSatisfy { ledger.lot($0)?.consumed == 0 })
    }

    @Test func aPartialRefundWalksBurnDownBackwards() throws {
        var (ledger, debit, lots) = try spanningDebit()
        let (entry, updated) = try ledger.refund(debit, 8, at: t0 + 2)
        #expect(entry.postings == [Posting(.unconsume, lot: lots[2], 5), Posting(.unconsume, lot: lots[1], 3)])
        #expect(entry.amount == 8)
        #expect(updated.refundable == 17 && updated.refunded == 8)
        #expect(ledger.lot(lots[1])?.remaining == 3 && ledger.lot(lots[1])?.consumed == 7)
    }

    @Test func multiplePartialRefundsAddUpToTheDebitAndNoMore() throws {
        var (ledger, debit, lots) = try spanningDebit()
        var record = debit
        var postings: [Posting] = []
        for (index, part) in [Credits(4), 4, 9, 8].enumerated() {
            let result = try ledger.refund(record, part, at: t0 + 2 + Int64(index))
            record = result.debit
            postings += result.entry.postings
        }
        #expect(postings == [
            Posting(.unconsume, lot: lots[2], 4), Posting(.unconsume, lot: lots[2], 1),
            Posting(.unconsume, lot: lots[1], 3), Posting(.unconsume, lot: lots[1], 7),
            Posting(.unconsume, lot: lots[0], 2), Posting(.unconsume, lot: lots[0], 8),
        ])
        #expect(record.refunded == 25 && record.refundable == 0)
        #expect(ledger.state.credits == 30)
        let before = ledger.state
        #expect(throws: Rejection.refundExceedsDebit(refundable: 0)) { _ = try ledger.refund(record, nil, at: t0 + 9) }
        #expect(throws: Rejection.refundExceedsDebit(refundable: 0)) { _ = try ledger.refund(record, 1, at: t0 + 9) }
        #expect(ledger.state == before)
    }

    @Test func aRefundAboveTheRefundableIsRejectedAndChangesNothing() throws {
        var (ledger, debit, _) = try spanningDebit()
        let before = ledger.state
        #expect(throws: Rejection.refundExceedsDebit(refundable: 25)) { _ = try ledger.refund(debit, 26, at: t0 + 2) }
        #expect(ledger.state == before)
        let first = try ledger.refund(debit, 20, at: t0 + 3)
        #expect(throws: Rejection.refundExceedsDebit(refundable: 5)) { _ = try ledger.refund(first.debit, 6, at: t0 + 4) }
        #expect(throws: Rejection.invalidAmount(0)) { _ = try ledger.refund(first.debit, 0, at: t0 + 4) }
        _ = try ledger.refund(first.debit, 5, at: t0 + 4)
    }

    @Test func aRefundToAnExpiredLotIsBookedAsExpiredNotResurrected() throws {
        var (ledger, debit, lots) = try spanningDebit()
        // The allowance lot expires at t0 + 1000 with nothing remaining: nothing to book.
        #expect(ledger.expire(at: t0 + 1_000).isEmpty)
        let (entry, _) = try ledger.refund(debit, nil, at: t0 + 1_000)
        #expect(entry.postings == [
            Posting(.unconsume, lot: lots[2], 5), Posting(.unconsume, lot: lots[1], 10),
            Posting(.unconsumeExpired, lot: lots[0], 10),
        ])
        #expect(entry.amount == 15, "credits booked as expired do not count")
        let expired = try #require(ledger.lot(lots[0]))
        #expect(expired.expired == 10 && expired.remaining == 0 && expired.consumed == 0)
        #expect(!ledger.state.liveLotOrder.contains(lots[0]))
        #expect(ledger.state.credits == 20)
    }

    @Test func aRefundJustBeforeTheExpiryStillReturnsCreditsThatThenExpire() throws {
        var (ledger, debit, lots) = try spanningDebit()
        let (entry, _) = try ledger.refund(debit, nil, at: t0 + 999)
        #expect(entry.postings.last == Posting(.unconsume, lot: lots[0], 10))
        let swept = ledger.expire(at: t0 + 1_000)
        #expect(swept.map(\.postings) == [[Posting(.expire, lot: lots[0], 10)]])
    }

    @Test func aDebitThatCreatedDebtReducesDebtFirst() throws {
        var ledger = Ledger(overdraft: 50)
        let lot = try ledger.credit(20, at: t0).referenceID!
        let debit = ledger.record(of: try ledger.debit(45, at: t0 + 1))
        #expect(debit.debt == 25 && ledger.state.debt == 25)
        let first = try ledger.refund(debit, 10, at: t0 + 2)
        #expect(first.entry.postings == [Posting(.debt, -10)])
        #expect(first.entry.amount == 10 && ledger.state.debt == 15)
        #expect(first.debit.refundedDebt == 10 && first.debit.refundedLots.isEmpty)
        let second = try ledger.refund(first.debit, 20, at: t0 + 3)
        #expect(second.entry.postings == [Posting(.debt, -15), Posting(.unconsume, lot: lot, 5)])
        #expect(ledger.state.debt == 0 && ledger.state.credits == 5)
        #expect(second.debit.refundable == 15)
    }

    @Test func debtRepaidSinceComesBackAsANewTopUpLot() throws {
        var ledger = Ledger(overdraft: 50)
        let lot = try ledger.credit(20, at: t0).referenceID!
        let debit = ledger.record(of: try ledger.debit(45, at: t0 + 1))
        let repayment = try ledger.credit(100, at: t0 + 2)
        #expect(repayment.openedLot?.amount == 75 && ledger.state.debt == 0)

        let (entry, updated) = try ledger.refund(debit, nil, at: t0 + 3)
        let fresh = try #require(entry.openedLot)
        #expect(fresh.id == entry.id && fresh.source == .topup && fresh.amount == 25)
        #expect(fresh.expiresAtMs == nil && fresh.priority == 10)
        #expect(fresh.reference == "refund:\(debit.id)" && fresh.createdAtMs == t0 + 3)
        #expect(entry.postings == [Posting(.open, lot: fresh.id, 25), Posting(.unconsume, lot: lot, 20)])
        #expect(entry.amount == 45 && ledger.state.credits == 120)
        #expect(updated.refundedDebt == 25 && updated.refundable == 0)
    }

    @Test func debtPartlyRepaidIsForgivenThenTheRestBecomesALot() throws {
        var ledger = Ledger(overdraft: 50)
        let debit = ledger.record(of: try ledger.debit(30, at: t0))
        try ledger.credit(10, at: t0 + 1)  // repays 10 of the 30
        #expect(ledger.state.debt == 20)
        let (entry, _) = try ledger.refund(debit, 25, at: t0 + 2)
        let fresh = try #require(entry.openedLot)
        #expect(entry.postings == [Posting(.debt, -20), Posting(.open, lot: fresh.id, 5)])
        #expect(ledger.state.debt == 0 && ledger.state.credits == 5 && entry.amount == 25)
    }

    @Test func aCaptureIsRefundedLikeADebit() throws {
        var ledger = Ledger(overdraft: 20)
        let first = try ledger.credit(10, source: .grant, at: t0).referenceID!
        let second = try ledger.credit(10, source: .topup, at: t0).referenceID!
        let holdID = try ledger.hold(8, expiresAt: t0 + 300 * second, at: t0).referenceID!
        let capture = ledger.record(of: try ledger.capture(holdID, 25, at: t0 + 1))
        #expect(capture.holdID == holdID && capture.amount == 25)
        let (entry, _) = try ledger.refund(capture, 20, at: t0 + 2)
        #expect(entry.postings == [
            Posting(.debt, -5), Posting(.unconsume, lot: second, 10), Posting(.unconsume, lot: first, 5),
        ])
        #expect(ledger.state.debt == 0 && ledger.state.credits == 15)
    }

    @Test func aCaptureOfAnUncoveredHoldRefundsItsDebt() throws {
        var ledger = Ledger(overdraft: 50)
        let holdID = try ledger.hold(30, expiresAt: t0 + 300 * second, at: t0).referenceID!
        let capture = ledger.record(of: try ledger.capture(holdID, 20, at: t0 + 1))
        #expect(capture.debt == 20 && capture.lotParts.isEmpty)
        let (entry, _) = try ledger.refund(capture, nil, at: t0 + 2)
        #expect(entry.postings == [Posting(.debt, -20)])
        #expect(ledger.state.available == 0)
    }

    @Test func aRefundedLotThatWasReservedMeanwhileStaysBalanced() throws {
        var ledger = Ledger()
        let lot = try ledger.credit(10, at: t0).referenceID!
        let debit = ledger.record(of: try ledger.debit(6, at: t0 + 1))
        try ledger.hold(4, expiresAt: t0 + 300 * second, at: t0 + 2)
        #expect(ledger.lot(lot)?.remaining == 0 && ledger.lot(lot)?.reserved == 4)
        _ = try ledger.refund(debit, nil, at: t0 + 3)
        #expect(ledger.lot(lot)?.remaining == 6 && ledger.lot(lot)?.reserved == 4)
        #expect(ledger.state.available == 6)
    }
}
