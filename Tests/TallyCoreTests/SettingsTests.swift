// Settings changes validate before applying, never reopen a closed account, and leave the
// account unchanged when refused; lowering the overdraft below existing debt only stops spending.
import Testing
import TallyCore

@Suite struct SettingsTests {
    @Test func statusOverdraftAndMetadataChange() throws {
        var ledger = Ledger()
        try ledger.update(
            AccountChanges(status: .suspended, overdraftLimit: 100, metadata: ["tier": "gold", "x": "1"]),
            at: t0)
        #expect(ledger.state.account.status == .suspended)
        #expect(ledger.state.account.overdraftLimit == 100)
        #expect(ledger.state.account.metadata == ["tier": "gold", "x": "1"])
        #expect(ledger.state.account.updatedAtMs == t0 && ledger.state.account.createdAtMs == 0)
        try ledger.update(AccountChanges(status: .active, metadata: ["x": nil, "y": "2"]), at: t0 + 1)
        #expect(ledger.state.account.metadata == ["tier": "gold", "y": "2"])
        #expect(ledger.state.account.status == .active && ledger.state.account.updatedAtMs == t0 + 1)
        #expect(ledger.entries.isEmpty, "settings write no ledger entries")
    }

    @Test func aClosedAccountStaysClosed() throws {
        var ledger = Ledger()
        try ledger.update(AccountChanges(status: .closed), at: t0)
        for status in [AccountStatus.active, .suspended] {
            #expect(throws: Rejection.accountClosed) { try ledger.update(AccountChanges(status: status), at: t0 + 1) }
        }
        try ledger.update(AccountChanges(status: .closed), at: t0 + 2)
        #expect(ledger.state.account.status == .closed)
    }

    @Test func aRefusedChangeChangesNothing() throws {
        var ledger = Ledger()
        let before = ledger.state
        #expect(throws: Rejection.invalidOverdraftLimit) {
            try ledger.update(AccountChanges(status: .suspended, overdraftLimit: -1), at: t0)
        }
        #expect(throws: Rejection.self) {
            try ledger.update(AccountChanges(status: .suspended, metadata: ["": "v"]), at: t0)
        }
        let tooMany = Dictionary(uniqueKeysWithValues: (0..<51).map { ("k\($0)", Optional("v")) })
        #expect(throws: Rejection.self) { try ledger.update(AccountChanges(metadata: tooMany), at: t0) }
        #expect(ledger.state == before)
    }

    @Test func raisingTheOverdraftAllowsMoreDebt() throws {
        var ledger = Ledger()
        #expect(throws: Rejection.insufficientCredits(available: 0, requested: 10)) { try ledger.debit(10, at: t0) }
        try ledger.update(AccountChanges(overdraftLimit: 10), at: t0 + 1)
        try ledger.debit(10, at: t0 + 2)
        #expect(ledger.state.debt == 10)
    }
}

extension SettingsTests {
    @Test func theOverdraftCannotBeLoweredBelowWhatIsDrawn() throws {
        var ledger = Ledger(overdraft: 50)
        try ledger.debit(30, at: t0)
        #expect(throws: Rejection.invalidOverdraftLimit) {
            try ledger.update(AccountChanges(overdraftLimit: 29), at: t0 + 1)
        }
        try ledger.update(AccountChanges(overdraftLimit: 30), at: t0 + 1)
        #expect(ledger.state.account.overdraftLimit == 30)
    }

    @Test func holdsReservedAgainstTheOverdraftCountAsDrawn() throws {
        var ledger = Ledger(overdraft: 50)
        try ledger.hold(20, expiresAt: t0 + 100, at: t0)
        #expect(throws: Rejection.invalidOverdraftLimit) {
            try ledger.update(AccountChanges(overdraftLimit: 19), at: t0 + 1)
        }
        try ledger.update(AccountChanges(overdraftLimit: 20), at: t0 + 1)
    }

    @Test func debtStaysWithinTheLimitEvenWhenCreditsCameBackBesideIt() throws {
        // A refund to lots does not repay debt another debit made, so credits and debt can
        // coexist; the limit still may not drop below the debt (invariant 3: debt ≤ limit).
        var ledger = Ledger(overdraft: 5)
        try ledger.credit(10, at: t0)
        let first = ledger.record(of: try ledger.debit(10, at: t0 + 1))
        try ledger.debit(5, at: t0 + 2)
        _ = try ledger.refund(first, nil, at: t0 + 3)
        #expect(ledger.state.credits == 10 && ledger.state.debt == 5 && ledger.state.available == 5)
        #expect(throws: Rejection.invalidOverdraftLimit) {
            try ledger.update(AccountChanges(overdraftLimit: 0), at: t0 + 4)
        }
    }

    @Test func anUncoveredHoldBesideReturnedCreditsKeepsItsLine() throws {
        // Same with a hold reserved against the overdraft: capturing it later must stay within
        // the limit.
        var ledger = Ledger(overdraft: 5)
        try ledger.credit(10, at: t0)
        let first = ledger.record(of: try ledger.debit(10, at: t0 + 1))
        let holdID = try ledger.hold(5, expiresAt: t0 + 100, at: t0 + 2).referenceID!
        _ = try ledger.refund(first, nil, at: t0 + 3)
        #expect(throws: Rejection.invalidOverdraftLimit) {
            try ledger.update(AccountChanges(overdraftLimit: 0), at: t0 + 4)
        }
        try ledger.capture(holdID, nil, at: t0 + 5)
        #expect(ledger.state.debt == 5)
    }
}
