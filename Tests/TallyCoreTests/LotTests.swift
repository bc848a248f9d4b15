// A lot's parts always add up to its amount; `isBalanced` catches any drift, and expiry is
// judged at the instant itself.
import Testing
import TallyCore

@Suite struct LotTests {
    @Test func aFreshLotIsAllRemaining() {
        let lot = Lot(id: 1, source: .pack, amount: 50, priority: 10, expiresAtMs: nil, createdAtMs: t0, reference: "p")
        #expect(lot.remaining == 50 && lot.reserved == 0 && lot.consumed == 0 && lot.expired == 0)
        #expect(lot.isBalanced)
        #expect(!lot.isExpired(atMs: .max), "a lot without expiry never expires")
    }

    @Test func isBalancedRejectsNegativePartsAndDrift() {
        func lot(_ remaining: Credits, _ reserved: Credits, _ consumed: Credits, _ expired: Credits) -> Lot {
            Lot(id: 1, source: .topup, amount: 10, remaining: remaining, reserved: reserved,
                consumed: consumed, expired: expired, priority: 10, expiresAtMs: nil, createdAtMs: 0,
                reference: nil)
        }
        #expect(lot(1, 2, 3, 4).isBalanced)
        #expect(lot(0, 0, 10, 0).isBalanced)
        #expect(!lot(1, 2, 3, 3).isBalanced)
        #expect(!lot(1, 2, 3, 5).isBalanced)
        #expect(!lot(-1, 2, 5, 4).isBalanced)
        #expect(!lot(12, -2, 0, 0).isBalanced)
    }

    @Test func expiryIsInclusiveOfItsInstant() {
        let lot = Lot(id: 1, source: .allowance, amount: 1, priority: 0, expiresAtMs: t0, createdAtMs: 0, reference: nil)
        #expect(!lot.isExpired(atMs: t0 - 1))
        #expect(lot.isExpired(atMs: t0))
        #expect(lot.isExpired(atMs: t0 + 1))
    }
}
