// Proves two answers match DESIGN.md exactly: a replayed top-up repeats the first answer (not the
// lot as it is now), and reading a hold past its expiry shows it expired without other traffic.
import TallyCore
import TallyEngine
import TallyStore
import Testing

@Suite struct ReplayAndExpiryReadTests {
    /// DESIGN §2 Idempotency: a repeat "returns the stored response": a replayed top-up shows the
    /// lot as the first answer showed it (remaining 100), not as it is now (remaining 70).
    @Test func aReplayedTopUpShowsTheLotAsItWasAnswered() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct")
        let first = try await engine.addCredits("acct", CreditRequest(amount: 100, source: .topup), idempotencyKey: "c1")
        try await debit(engine, "acct", 30)

        let again = try await engine.addCredits("acct", CreditRequest(amount: 100, source: .topup), idempotencyKey: "c1")

        #expect(again.replayed)
        #expect(again.value == first.value)
        try await harness.finish()
    }

    /// DESIGN §2 Hold: a hold not settled by its expires_at "is released by the engine": reading it
    /// after its expiry says expired even when nothing else touched the account.
    @Test func anExpiredHoldReadsExpiredWithoutTouchingTheAccount() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 100)
        let held = try await hold(engine, "acct", 40, ttlMs: 10_000)
        harness.clock.advance(byMs: 11_000)

        let status = try await engine.hold(held.id).hold.status

        #expect(status == .expired)
        try await harness.finish()
    }
}
