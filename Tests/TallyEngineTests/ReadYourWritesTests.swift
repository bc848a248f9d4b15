// Proves the ledger index being built off the commit path never shows up to a reader: right after
// each answer, under concurrent load, the ledger page, the debit lookup, a refund, the usage report
// and the verifier see the newest entry, both with the indexer running and with it held back (so
// every read must find the entry in the unindexed tail), and after a restart with entries the
// indexer never reached.
import Foundation
import TallyCore
@testable import TallyEngine
import TallyStore
import TallyTesting
import Testing

@Suite struct ReadYourWritesTests {
    static func engine(_ path: String, clock: ManualClock, indexDelayMs: Int) throws -> Engine {
        var store = storeConfiguration(path)
        store.indexDelayMs = indexDelayMs
        return try Engine(configuration: EngineConfiguration(store: store), clock: clock)
    }

    /// Debits, then reads the debit back every way a client can, from one task per account at once.
    static func debitAndReadBack(_ engine: Engine, accounts: [String], perWorker: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (worker, account) in accounts.enumerated() {
                group.addTask {
                    for round in 0..<perWorker {
                        let debit = try await engine.authorize(
                            AuthorizeRequest(account: account, cost: 3, operation: "call"), idempotencyKey: "w\(worker)-\(round)"
                        ).value
                        let page = try await engine.ledger(EntryQuery(account: account, limit: 10_000))
                        #expect(page.last?.id == debit.id, "the ledger page ends with the debit just answered")
                        #expect(page.map(\.seq) == Array(1...Int64(page.count)), "no gap in the page")
                        #expect(try await engine.debit(debit.id).amount == 3)
                        if round % 5 == 0 {
                            let refund = try await engine.refund(debit: debit.id, amount: 1).value
                            #expect(refund.totalRefunded == 1)
                        }
                        let usage = try await engine.usage(
                            account: account, fromMs: startMs - 1, toMs: startMs + 1, granularity: .hour)
                        let credits = usage.totals.first { $0.operation == "call" }?.credits ?? 0
                        #expect(credits == Credits(round + 1) * 3 - Credits(round / 5 + 1), "usage counts the debit just answered")
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test(arguments: [0, 600_000])
    func readsSeeEveryAnsweredEntryUnderLoad(indexDelayMs: Int) async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try Self.engine(database.path, clock: ManualClock(startMs: startMs), indexDelayMs: indexDelayMs)
        let accounts = (0..<8).map { "acct-\($0)" }
        for account in accounts { try await openAccount(engine, account, credits: 10_000) }

        try await Self.debitAndReadBack(engine, accounts: accounts, perWorker: 25)

        if indexDelayMs > 0 { #expect(engine.unindexedEntries > 0, "the indexer was held back") }
        let whileRunning = try verifyLedger(database.path)
        #expect(whileRunning.accounts == 8 && whileRunning.violations.isEmpty, "\(whileRunning.violations)")
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }

    @Test func aRestartIndexesWhatTheIndexerNeverReached() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: startMs)
        var engine = try Self.engine(database.path, clock: clock, indexDelayMs: 600_000)
        try await openAccount(engine, "acct", credits: 1_000)
        for round in 0..<30 { try await debit(engine, "acct", 2, key: "k\(round)") }
        // The index file lags the ledger, as after a crash: close() would index the tail, so the
        // ledger and its index are copied while the engine still runs.
        let copy = database.directory.path("copy.db")
        for suffix in ["", "-wal", "-index", "-index-wal"] {
            try? FileManager.default.copyItem(atPath: database.path + suffix, toPath: copy + suffix)
        }
        await engine.close()

        engine = try Self.engine(copy, clock: clock, indexDelayMs: 0)
        #expect(engine.unindexedEntries == 0, "everything was indexed before serving")
        let page = try await engine.ledger(EntryQuery(account: "acct", limit: 100))
        #expect(page.map(\.seq) == Array(1...31))
        #expect(try await debit(engine, "acct", 2, key: "k7").replayed)
        #expect(try await engine.account("acct").balance.available == 1_000 - 60)
        await engine.close()
        #expect(try verifyLedger(copy).violations.isEmpty)
    }
}
