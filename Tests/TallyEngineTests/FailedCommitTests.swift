// Proves that a failed commit (the database is full) fails exactly the requests in it, that the
// account is reloaded from disk before serving again, and that the engine recovers by itself.
import Foundation
import Testing
import TallyCore
@testable import TallyEngine
@testable import TallyStore
import TallyTesting

@Suite struct FailedCommitTests {
    @Test func aFullDatabaseFailsRequestsWithoutLosingOrHalfApplyingAnything() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let path = database.path

        // Open once to create the schema, then cap the file a few pages above its size.
        var configuration = EngineConfiguration(store: StoreConfiguration(path: path, durability: .normal))
        let setup = try Engine(configuration: configuration)
        _ = try await setup.createAccount(NewAccount(id: "acct"))
        _ = try await setup.addCredits("acct", CreditRequest(amount: 1_000_000, source: .topup))
        await setup.close()
        let pages = try #require(try Connection(path: path).pragma("page_count").flatMap { Int($0) })
        configuration.store.maxPageCount = pages + 3

        let engine = try Engine(configuration: configuration)
        var approved: [Int64] = []
        var failed = 0
        for index in 0..<5_000 {
            do throws(EngineError) {
                let debit = try await engine.authorize(
                    AuthorizeRequest(account: "acct", cost: 1, metadata: ["pad": String(repeating: "x", count: 400)]),
                    idempotencyKey: "k\(index)")
                approved.append(debit.value.id)
            } catch {
                guard case .storage = error else { Issue.record("unexpected \(error)"); return }
                failed += 1
            }
            if failed >= 3 { break }
        }
        #expect(failed >= 3, "the page cap should have been reached")

        // What the engine shows after the failures is exactly what is on disk.
        let shown = try await engine.account("acct")
        #expect(shown.balance.credits == 1_000_000 - Int64(approved.count))
        await engine.close()

        let report = try LedgerVerifier(connection: try Connection(path: path)).verify()
        #expect(report.violations.isEmpty, "\(report.violations)")
        let reopened = try Engine(configuration: EngineConfiguration(store: StoreConfiguration(path: path, durability: .normal)))
        let afterRestart = try await reopened.account("acct")
        #expect(afterRestart.balance == shown.balance)
        for id in approved.suffix(3) { _ = try await reopened.debit(id) }

        // Without the cap the same engine code serves the account again.
        let next = try await reopened.authorize(AuthorizeRequest(account: "acct", cost: 1))
        #expect(next.value.balance.credits == shown.balance.credits - 1)
        await reopened.close()
    }

    @Test func idleAccountsAreEvictedAndReloadOnNextUse() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let configuration = EngineConfiguration(
            store: StoreConfiguration(path: database.path, durability: .normal),
            idleEvictionMs: 0)
        let engine = try Engine(configuration: configuration)
        for index in 0..<50 {
            _ = try await engine.createAccount(NewAccount(id: "a\(index)"))
            _ = try await engine.addCredits("a\(index)", CreditRequest(amount: 10, source: .topup))
        }
        // Run the sweep the engine's timer runs, rather than waiting for a timer a busy test
        // run may not schedule in time.
        await engine.registry.sweep()
        #expect(engine.loadedAccounts == 0)
        let debit = try await engine.authorize(AuthorizeRequest(account: "a7", cost: 4), idempotencyKey: "once")
        #expect(debit.value.balance.available == 6)
        let replay = try await engine.authorize(AuthorizeRequest(account: "a7", cost: 4), idempotencyKey: "once")
        #expect(replay.replayed && replay.value.id == debit.value.id)
        await engine.close()
    }
}
