// Burn-down is one total order: priority, expiry (never-expiring last), promotional before
// paid, created_at, id; and debits really draw lots in that order.
import Testing
import TallyCore

@Suite struct BurnDownTests {
    func lot(
        _ id: LotID, _ source: LotSource = .topup, priority: Int = 10, expires: Int64? = nil,
        created: Int64 = 0
    ) -> Lot {
        Lot(id: id, source: source, amount: 10, priority: priority, expiresAtMs: expires,
            createdAtMs: created, reference: nil)
    }

    @Test func priorityComesFirst() {
        let low = lot(2, priority: 0, expires: nil, created: 9)
        let high = lot(1, .grant, priority: 1, expires: 1, created: 0)
        #expect(BurnDown.paysBefore(low, high))
        #expect(!BurnDown.paysBefore(high, low))
    }

    @Test func thenExpiryAscendingWithNeverExpiringLast() {
        let soon = lot(3, expires: 100)
        let later = lot(2, expires: 200)
        let never = lot(1, .grant, expires: nil)
        #expect(BurnDown.sorted([never, later, soon]).map(\.id) == [3, 2, 1])
    }

    @Test func thenPromotionalBeforePaid() {
        let paid = lot(1, .topup, priority: 5, expires: 100, created: 0)
        let grant = lot(2, .grant, priority: 5, expires: 100, created: 50)
        #expect(BurnDown.sorted([paid, grant]).map(\.id) == [2, 1])
        // Only grants are promotional.
        #expect(LotSource.allCases.filter(\.isPromotional) == [.grant])
    }

    @Test func thenCreatedAtThenID() {
        let older = lot(9, created: 1)
        let newer = lot(1, created: 2)
        #expect(BurnDown.sorted([newer, older]).map(\.id) == [9, 1])
        let a = lot(4, created: 1)
        let b = lot(3, created: 1)
        #expect(BurnDown.sorted([a, b]).map(\.id) == [3, 4])
        #expect(!BurnDown.paysBefore(a, a), "the order is strict")
    }

    @Test func neverExpiringLotsWithEqualPriorityTieOnTheLaterKeys() {
        let paid = lot(1, .pack, expires: nil, created: 0)
        let grant = lot(2, .grant, priority: 10, expires: nil, created: 5)
        let paid2 = lot(3, .topup, expires: nil, created: 0)
        #expect(BurnDown.sorted([paid2, paid, grant]).map(\.id) == [2, 1, 3])
    }

    @Test func theOrderIsTotalAndConsistent() {
        var lots: [Lot] = []
        var id: LotID = 0
        for priority in [0, 5] {
            for expires in [nil, 100, 200] as [Int64?] {
                for source in [LotSource.grant, .topup] {
                    for created in [Int64(1), 2] {
                        id += 1
                        lots.append(lot(id, source, priority: priority, expires: expires, created: created))
                    }
                }
            }
        }
        for a in lots {
            for b in lots where a.id != b.id {
                #expect(BurnDown.paysBefore(a, b) != BurnDown.paysBefore(b, a))
                for c in lots where BurnDown.paysBefore(a, b) && BurnDown.paysBefore(b, c) {
                    #expect(BurnDown.paysBefore(a, c))
                }
            }
        }
        #expect(BurnDown.sorted(lots.reversed()) == BurnDown.sorted(lots))
    }

    @Test func debitsDrawInBurnDownOrder() throws {
        var ledger = Ledger()
        let paid = try ledger.credit(10, source: .topup, at: t0).referenceID!  // priority 10
        let paidSoon = try ledger.credit(10, source: .pack, expiresAt: t0 + 500 * second, at: t0 + 1)
            .referenceID!
        let grantNever = try ledger.credit(10, source: .grant, priority: 10, at: t0 + 2).referenceID!
        let allowance = try ledger.credit(10, source: .allowance, expiresAt: t0 + 900 * second, at: t0 + 3)
            .referenceID!
        let grantDefault = try ledger.credit(10, source: .grant, at: t0 + 4).referenceID!  // priority 5
        #expect(ledger.state.liveLotOrder == [allowance, grantDefault, paidSoon, grantNever, paid])

        let entry = try ledger.debit(45, at: t0 + 10)
        #expect(entry.postings == [
            Posting(.consume, lot: allowance, 10), Posting(.consume, lot: grantDefault, 10),
            Posting(.consume, lot: paidSoon, 10), Posting(.consume, lot: grantNever, 10),
            Posting(.consume, lot: paid, 5),
        ])
        let record = ledger.record(of: entry)
        #expect(record.lotParts.map(\.lot) == [allowance, grantDefault, paidSoon, grantNever, paid])
        #expect(record.amount == 45 && record.debt == 0)
        #expect(ledger.state.liveLotOrder == [paid])
    }

    @Test func equalPrioritiesAcrossSourcesFallBackToExpiry() throws {
        var ledger = Ledger()
        let topup = try ledger.credit(10, source: .topup, priority: 3, expiresAt: t0 + 100, at: t0).referenceID!
        let allowance = try ledger.credit(10, source: .allowance, priority: 3, expiresAt: t0 + 200, at: t0)
            .referenceID!
        let entry = try ledger.debit(15, at: t0 + 1)
        #expect(entry.postings == [Posting(.consume, lot: topup, 10), Posting(.consume, lot: allowance, 5)])
    }
}
