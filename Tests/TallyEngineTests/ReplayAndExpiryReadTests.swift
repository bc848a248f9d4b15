// Proves answers match DESIGN.md exactly: a replayed top-up repeats the first answer (not the lot
// as it is now), a refusal carries the balance it was refused at, then and on every replay, and
// reading a hold past its expiry shows it expired without other traffic.
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

    /// A refusal answers with the balance at the moment it was refused, the one stored under its
    /// key: a top-up between the refusal and its replay changes neither (crashloop seed 43 found
    /// the API re-reading the balance for the first answer only).
    @Test func aRefusalCarriesTheBalanceItWasRefusedAtAndItsReplayTheSame() async throws {
        let harness = try Harness()
        let engine = harness.engine
        try await openAccount(engine, "acct", credits: 3)
        var first: EngineError?
        do { try await debit(engine, "acct", 5, key: "d1") } catch { first = error }
        guard case .refused(.insufficientCredits(available: 3, requested: 5), let balance, replayed: false)? = first else {
            Issue.record("expected a fresh refusal with its balance, got \(String(describing: first))")
            return
        }
        #expect(balance.available == 3)
        _ = try await engine.addCredits("acct", CreditRequest(amount: 10, source: .topup))
        var again: EngineError?
        do { try await debit(engine, "acct", 5, key: "d1") } catch { again = error }
        guard case .refused(_, let replayedBalance, replayed: true)? = again else {
            Issue.record("expected the stored refusal, got \(String(describing: again))")
            return
        }
        #expect(replayedBalance == balance)
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
