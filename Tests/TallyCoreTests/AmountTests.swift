// Amounts are validated to 1...10^15 everywhere they enter, and going past the account total
// bound is the `.amountOverflow` rejection, never a trap; account fields are validated too,
// and an account id cannot be a path trap (only dots, or percent-encoded slashes and dots).
import Testing
import TallyCore

@Suite struct AmountTests {
    @Test(arguments: [Credits(1), 2, 999, Limits.amount.upperBound])
    func validAmountsPass(amount: Credits) throws {
        try CreditLimits.validate(amount)
    }

    @Test(arguments: [Credits(0), -1, Limits.amount.upperBound + 1, .min, .max])
    func invalidAmountsAreRejected(amount: Credits) {
        #expect(throws: Rejection.invalidAmount(amount)) { try CreditLimits.validate(amount) }
    }

    @Test func sumReportsOverflowInsteadOfTrapping() throws {
        #expect(try CreditLimits.sum(1, 2) == 3)
        #expect(try CreditLimits.sum(CreditLimits.maxAccountTotal - 1, 1) == CreditLimits.maxAccountTotal)
        #expect(throws: Rejection.amountOverflow) { try CreditLimits.sum(CreditLimits.maxAccountTotal, 1) }
        #expect(throws: Rejection.amountOverflow) { try CreditLimits.sum(.max, 1) }
        #expect(throws: Rejection.amountOverflow) { try CreditLimits.sum(.max, .max) }
    }

    @Test func everyRuleRejectsAmountsOutOfRange() throws {
        var ledger = Ledger(overdraft: 100)
        try ledger.credit(50, at: t0)
        let held = try ledger.hold(10, expiresAt: t0 + 60 * second, at: t0)
        let debit = ledger.record(of: try ledger.debit(5, at: t0))
        for bad in [Credits(0), -5, Limits.amount.upperBound + 1] {
            #expect(throws: Rejection.invalidAmount(bad)) { try ledger.credit(bad, at: t0) }
            #expect(throws: Rejection.invalidAmount(bad)) { try ledger.debit(bad, at: t0) }
            #expect(throws: Rejection.invalidAmount(bad)) {
                try ledger.hold(bad, expiresAt: t0 + second, at: t0)
            }
            #expect(throws: Rejection.invalidAmount(bad)) {
                try ledger.capture(held.referenceID!, bad, at: t0)
            }
            #expect(throws: Rejection.invalidAmount(bad)) { _ = try ledger.refund(debit, bad, at: t0) }
        }
    }

    @Test func creditPastTheAccountTotalIsAnOverflowRejection() throws {
        var ledger = Ledger()
        // 1000 × 10^15 reaches the 10^18 bound exactly; that is still allowed.
        for index in 0..<1_000 {
            try ledger.credit(Limits.amount.upperBound, at: t0 + Int64(index))
        }
        #expect(ledger.state.credits == CreditLimits.maxAccountTotal)
        #expect(throws: Rejection.amountOverflow) { try ledger.credit(1, at: t0 + 2_000) }
        #expect(throws: Rejection.amountOverflow) {
            try ledger.credit(Limits.amount.upperBound, at: t0 + 2_000)
        }
        // Spending makes room again.
        try ledger.debit(1, at: t0 + 3_000)
        try ledger.credit(1, at: t0 + 3_001)
        #expect(ledger.state.credits == CreditLimits.maxAccountTotal)
    }

    @Test func heldCreditsCountTowardTheAccountTotal() throws {
        var ledger = Ledger()
        for index in 0..<1_000 {
            try ledger.credit(Limits.amount.upperBound, at: t0 + Int64(index))
        }
        try ledger.hold(Limits.amount.upperBound, expiresAt: t0 + 10_000, at: t0 + 2_000)
        #expect(throws: Rejection.amountOverflow) { try ledger.credit(1, at: t0 + 2_001) }
    }

    @Test func extremeAmountsNeverTrap() throws {
        let max = Limits.amount.upperBound
        var ledger = Ledger(overdraft: max)
        let holdID = try ledger.hold(max, expiresAt: t0 + 1, at: t0).referenceID!
        #expect(ledger.state.available == -max && ledger.state.uncovered == max)
        #expect(throws: Rejection.insufficientCredits(available: -max, requested: 1)) {
            try ledger.debit(1, at: t0)
        }
        let capture = ledger.record(of: try ledger.capture(holdID, nil, at: t0))
        #expect(ledger.state.debt == max && ledger.state.available == -max)
        try ledger.credit(max, at: t0 + 1)
        #expect(ledger.state.debt == 0 && ledger.state.lots.isEmpty)
        _ = try ledger.refund(capture, nil, at: t0 + 2)
        #expect(ledger.state.credits == max, "the repaid debt came back as a lot")
    }

    @Test func accountIDs() throws {
        for good in ["a", "cus_123", "A.b:c@d-e_f", ".a", "a..", "._", String(repeating: "x", count: 128)] {
            try AccountRules.validate(id: good)
        }
        let dotsOnly = [".", "..", "...", String(repeating: ".", count: 128)]
        for bad in ["", "a b", "é", "a/b", "a#", "a%2Fb", "%2E%2E", "a\\b", "a?b", String(repeating: "x", count: 129)] + dotsOnly {
            #expect(throws: Rejection.invalidAccountID) { try AccountRules.validate(id: bad) }
        }
    }

    @Test func metadataAndOverdraftLimits() throws {
        try AccountRules.validate(metadata: [:])
        try AccountRules.validate(metadata: Dictionary(uniqueKeysWithValues: (0..<50).map { ("k\($0)", "v") }))
        try AccountRules.validate(metadata: [String(repeating: "k", count: 40): String(repeating: "v", count: 500)])
        #expect(throws: Rejection.self) {
            try AccountRules.validate(metadata: Dictionary(uniqueKeysWithValues: (0..<51).map { ("k\($0)", "v") }))
        }
        #expect(throws: Rejection.self) { try AccountRules.validate(metadata: ["": "v"]) }
        #expect(throws: Rejection.self) {
            try AccountRules.validate(metadata: [String(repeating: "k", count: 41): "v"])
        }
        #expect(throws: Rejection.self) {
            try AccountRules.validate(metadata: ["k": String(repeating: "v", count: 501)])
        }
        try AccountRules.validate(overdraftLimit: 0)
        try AccountRules.validate(overdraftLimit: Limits.amount.upperBound)
        #expect(throws: Rejection.invalidOverdraftLimit) { try AccountRules.validate(overdraftLimit: -1) }
        #expect(throws: Rejection.invalidOverdraftLimit) {
            try AccountRules.validate(overdraftLimit: Limits.amount.upperBound + 1)
        }
    }

    @Test func rejectionCodesAreStableSnakeCase() {
        #expect(Rejection.insufficientCredits(available: 0, requested: 1).code == "insufficient_credits")
        #expect(Rejection.amountOverflow.code == "amount_overflow")
        #expect(Rejection.refundExceedsDebit(refundable: 0).code == "refund_exceeds_debit")
        #expect(Rejection.holdNotPending(.captured).code == "hold_not_pending")
    }
}
