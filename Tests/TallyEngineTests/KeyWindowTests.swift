// Proves idempotency keys are honoured for the whole retention window although memory holds only
// a bounded recent window: a key used long before (past the window, after eviction, after a
// restart) replays its first answer, is refused with a different request, is forgotten after
// retention; a key in flight answers 409 even across a reload; and memory stays within budget.
import Foundation
import TallyCore
@testable import TallyEngine
import TallyStore
import TallyTesting
import Testing

@Suite struct KeyWindowTests {
    /// An engine whose accounts keep at most `keysPerAccount` keys in memory.
    static func engine(
        _ path: String, clock: ManualClock, keysPerAccount: Int = 16, keyBytes: Int = 32 << 20, idleEvictionMs: Int64 = 300_000
    ) throws -> Engine {
        try Engine(
            configuration: EngineConfiguration(
                store: storeConfiguration(path), idempotencyRetentionMs: 3_600_000, idleEvictionMs: idleEvictionMs,
                idempotencyKeysPerAccount: keysPerAccount, idempotencyKeyBytes: keyBytes),
            clock: clock)
    }

    /// Debits 1 credit `count` times with keys `prefix0`…, then waits until the index holds
    /// them and one more debit has let the account drop what it may.
    static func pushOutOfMemory(_ engine: Engine, _ account: String, count: Int, prefix: String = "filler-") async throws {
        for index in 0..<count { try await debit(engine, account, 1, key: "\(prefix)\(index)") }
        while engine.unindexedEntries > 0 { try await Task.sleep(for: .milliseconds(5)) }
        try await debit(engine, account, 1, key: "\(prefix)last")
    }

    static func keysInMemory(_ engine: Engine, _ account: String) async -> Int {
        await engine.registry.actor(for: account).keys.count
    }

    @Test func aKeyPastTheMemoryWindowReplaysAndRefusesAnotherRequest() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try Self.engine(database.path, clock: ManualClock(startMs: startMs))
        try await openAccount(engine, "acct", credits: 10_000)
        let first = try await debit(engine, "acct", 7, key: "old")
        let denied = await rejection { () async throws(EngineError) in try await debit(engine, "acct", 1_000_000, key: "old-denied") }
        try await Self.pushOutOfMemory(engine, "acct", count: 200)
        #expect(await Self.keysInMemory(engine, "acct") <= 20, "the window is bounded")
        #expect(await engine.registry.actor(for: "acct").keys["old"] == nil, "the old key left memory")

        let again = try await debit(engine, "acct", 7, key: "old")
        let reused = await rejection { () async throws(EngineError) in try await debit(engine, "acct", 8, key: "old") }
        let deniedAgain = await rejection { () async throws(EngineError) in try await debit(engine, "acct", 1_000_000, key: "old-denied") }

        #expect(again.replayed && again.value == first.value)
        #expect(reused == .idempotencyKeyReused)
        #expect(denied != nil && deniedAgain == denied)
        #expect(try await engine.account("acct").balance.available == 10_000 - 7 - 201)
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }

    @Test func aKeyPastTheWindowSurvivesEvictionAndRestartAndIsForgottenAfterRetention() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: startMs)
        var engine = try Self.engine(database.path, clock: clock, idleEvictionMs: 0)
        try await openAccount(engine, "acct", credits: 10_000)
        let first = try await debit(engine, "acct", 7, key: "old")
        try await Self.pushOutOfMemory(engine, "acct", count: 100)

        await engine.registry.sweep()
        #expect(engine.loadedAccounts == 0)
        let afterEviction = try await debit(engine, "acct", 7, key: "old")
        #expect(afterEviction.replayed && afterEviction.value == first.value)

        await engine.close()
        engine = try Self.engine(database.path, clock: clock)
        let afterRestart = try await debit(engine, "acct", 7, key: "old")
        let reused = await rejection { () async throws(EngineError) in try await debit(engine, "acct", 8, key: "old") }
        #expect(afterRestart.replayed && afterRestart.value == first.value)
        #expect(reused == .idempotencyKeyReused)
        #expect(await Self.keysInMemory(engine, "acct") <= 20, "a load reads only the bounded window")

        clock.advance(byMs: 3_600_001)
        let afterRetention = try await debit(engine, "acct", 7, key: "old")
        #expect(!afterRetention.replayed, "a key past retention is forgotten")
        #expect(try await engine.account("acct").balance.available == 10_000 - 7 - 101 - 7)
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }

    @Test func racingRepeatsOfAnOldKeyApplyAtMostOnce() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try Self.engine(database.path, clock: ManualClock(startMs: startMs))
        try await openAccount(engine, "acct", credits: 10_000)
        try await Self.pushOutOfMemory(engine, "acct", count: 50)
        #expect(await engine.registry.actor(for: "acct").keys.mayHoldOnDiskOnly(sinceMs: startMs - 3_600_000))

        // Every one of these misses memory and is looked up on disk while the others race it.
        let outcomes = await withTaskGroup(of: Result<Replayable<Authorization>, EngineError>.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    do throws(EngineError) { return .success(try await debit(engine, "acct", 5, key: "fresh")) } catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let applied = outcomes.filter { if case .success(let value) = $0 { !value.replayed } else { false } }
        let others = outcomes.filter {
            switch $0 {
            case .success(let value): value.replayed
            case .failure(.rejected(.idempotencyKeyInFlight)): true
            default: false
            }
        }
        #expect(applied.count == 1)
        #expect(applied.count + others.count == 40)
        #expect(try await engine.account("acct").balance.available == 10_000 - 51 - 5)
        await engine.close()
    }

    @Test func memoryForKeysStaysWithinTheSharedBudget() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let budget = 64 << 10
        let engine = try Self.engine(database.path, clock: ManualClock(startMs: startMs), keysPerAccount: 4_096, keyBytes: budget)
        for account in 0..<20 { try await openAccount(engine, "a\(account)", credits: 1_000) }
        for round in 0..<60 {
            for account in 0..<20 { try await debit(engine, "a\(account)", 1, key: "r\(round)-a\(account)") }
        }
        while engine.unindexedEntries > 0 { try await Task.sleep(for: .milliseconds(5)) }
        for account in 0..<20 { try await debit(engine, "a\(account)", 1, key: "final-a\(account)") }

        // Each account may keep its floor of keys whatever the budget; beyond that the budget holds.
        let floorBytes = 20 * (IdempotencyKeyIndex.floor + 1) * 200
        #expect(engine.context.idempotencyKeyMemory.total <= budget + floorBytes)
        let early = try await debit(engine, "a3", 1, key: "r0-a3")
        #expect(early.replayed, "a key dropped for the budget is found on disk")
        await engine.close()
    }

    @Test func aKeyInFlightStaysInFlightAcrossAReload() {
        let memory = IdempotencyKeyMemory()
        let filter = IdempotencyKeyFilter(bytes: 1 << 16, retentionMs: 1_000, nowMs: 0)
        var keys = IdempotencyKeyIndex(account: "a", loaded: [], completeSinceMs: .min, memory: memory, filter: filter)
        let ticket = CommitTicket()
        keys.begin("k", fingerprint: [1], atMs: 1, entryID: 9, ticket: ticket)
        keys.beginProbe("p", fingerprint: [2], atMs: 1)

        let carried = keys.inFlight
        keys.releaseAll(nowMs: 2)
        #expect(filter.mayContain(account: "a", key: "k"), "keys leaving memory go to the filter")
        var reloaded = IdempotencyKeyIndex(account: "a", loaded: [], completeSinceMs: .min, memory: memory, filter: filter, carrying: carried)

        #expect(reloaded["k"]?.status == .inFlight)
        #expect(reloaded["p"]?.status == .inFlight)
        ticket.complete(.failure(.closed))
        #expect(reloaded["k"]?.status == .failed, "a failed first request lets a retry run afresh")
        reloaded.endProbe("p")
        #expect(reloaded["p"] == nil)
        reloaded.releaseAll(nowMs: 3)
        #expect(memory.total == 0, "every byte goes back to the budget")
    }
}

extension KeyWindowTests {
    @Test func keysWhoseEntriesAreNotIndexedYetSurviveEvictionAndReload() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        var store = storeConfiguration(database.path)
        store.indexDelayMs = 600_000
        let engine = try Engine(
            configuration: EngineConfiguration(
                store: store, idempotencyRetentionMs: 3_600_000, idleEvictionMs: 0, idempotencyKeysPerAccount: 8),
            clock: ManualClock(startMs: startMs))
        try await openAccount(engine, "acct", credits: 10_000)
        var first: [Authorization] = []
        for index in 0..<20 { first.append(try await debit(engine, "acct", 1, key: "k\(index)").value) }
        let debitID = first[3].id
        let refund = try await engine.refund(debit: debitID, amount: 1, idempotencyKey: "refund").value
        for round in 0..<3 {
            await engine.registry.sweep()
            for index in 0..<20 {
                let again = try await debit(engine, "acct", 1, key: "k\(index)")
                #expect(again.replayed && again.value == first[index], "round \(round) key k\(index)")
            }
            let refundAgain = try await engine.refund(debit: debitID, amount: 1, idempotencyKey: "refund")
            #expect(refundAgain.replayed && refundAgain.value == refund, "round \(round) refund")
        }
        #expect(engine.unindexedEntries > 0, "nothing was indexed")
        #expect(try await engine.account("acct").balance.available == 10_000 - 20 + 1)
        await engine.close()
    }
}

extension KeyWindowTests {
    /// Sweeps run without pause while every retry needs a load, so some sweep lands between a
    /// load finishing and the request it was for going on; a retired actor must not serve it.
    @Test func aSweepDuringALoadNeverLetsARetryApplyAgain() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let engine = try Self.engine(database.path, clock: ManualClock(startMs: startMs), idleEvictionMs: 0)
        try await openAccount(engine, "acct", credits: 100_000)
        let sweeping = Task {
            while !Task.isCancelled { await engine.registry.sweep() }
        }
        defer { sweeping.cancel() }
        for index in 0..<400 {
            let first = try await debit(engine, "acct", 1, key: "k\(index)")
            let again = try await debit(engine, "acct", 1, key: "k\(index)")
            #expect(again.replayed && again.value == first.value, "key k\(index) applied again")
            if !again.replayed { break }
        }
        sweeping.cancel()
        #expect(try await engine.account("acct").balance.available == 100_000 - 400)
        await engine.close()
    }
}
