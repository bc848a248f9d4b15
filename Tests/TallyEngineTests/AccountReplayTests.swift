// Proves a replayed account change answers the account exactly as the first answer showed it,
// not as it is now (DESIGN §2 Idempotency: "returns the stored response").
import TallyCore
import TallyEngine
import TallyStore
import Testing

@Suite struct AccountReplayTests {
    /// DESIGN §2 Idempotency: a repeat "returns the stored response": a replayed account update
    /// answers the account as the first answer showed it (limit 10), not as it is now (limit 20).
    @Test func aReplayedUpdateShowsTheAccountAsItWasAnswered() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct")
        let first = try await engine.updateAccount("acct", AccountChanges(overdraftLimit: 10), idempotencyKey: "u1")
        _ = try await engine.updateAccount("acct", AccountChanges(overdraftLimit: 20))

        let again = try await engine.updateAccount("acct", AccountChanges(overdraftLimit: 10), idempotencyKey: "u1")

        #expect(first.value.account.overdraftLimit == 10)
        #expect(again.replayed)
        #expect(again.value.account.overdraftLimit == 10)
        #expect(again.value.balance == first.value.balance)
        try await harness.finish()
    }
}
