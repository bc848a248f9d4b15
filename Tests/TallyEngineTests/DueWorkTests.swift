// Proves that time-driven work happens on accounts nobody touches: a hold past its TTL is
// released and a lot past its expiry is booked as expired by the scheduler pass alone.
import Foundation
import TallyTesting
import Testing
import TallyCore
import TallyEngine
@testable import TallyStore

@Suite struct DueWorkTests {
    @Test func anIdleAccountsHoldAndLotExpireWithoutAnyRequest() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: startMs)
        let engine = try openEngine(database.path, clock: clock)
        _ = try await engine.createAccount(NewAccount(id: "idle"))
        _ = try await engine.addCredits("idle", CreditRequest(amount: 100, source: .topup))
        _ = try await engine.addCredits("idle", CreditRequest(amount: 30, source: .grant, expiresAtMs: startMs + 60_000))
        let hold = try await engine.authorize(AuthorizeRequest(account: "idle", cost: 50, holdTTLMs: 10_000))

        clock.advance(byMs: 61_000)
        #expect(await engine.runDueWork() == 1)

        // Read straight from the file: the pass itself wrote the release and the expiry.
        let reader = try Connection(path: database.path, readOnly: true)
        #expect(try reader.hold(id: hold.value.id)?.hold.status == .expired)
        let grant = try #require(try reader.lots(account: "idle").first { $0.source == .grant })
        #expect(grant.remaining == 0 && grant.expired == 30)
        #expect(await engine.runDueWork() == 0, "nothing is due twice")
        await engine.close()
        #expect(try LedgerVerifier(connection: reader).verify().violations.isEmpty)
    }
}
