// Proves the idempotency key filter never rules out a key put in (so skipping the disk lookup on
// its "no" is safe), keeps a key for at least one retention window, and spares fresh keys the
// disk lookup once it is complete, also after a restart refills it; and that closing the engine
// waits for the fill, which must not read a closed store.
import Foundation
import TallyCore
@testable import TallyEngine
import TallyStore
import TallyTesting
import Testing

@Suite struct KeyFilterTests {
    @Test func everyInsertedKeyIsFoundAndMostFreshOnesAreNot() {
        let filter = IdempotencyKeyFilter(bytes: 1 << 20, retentionMs: 1_000, nowMs: 0)
        for index in 0..<20_000 { filter.insert(account: "a\(index % 7)", key: "k\(index)", atMs: 10) }
        let missed = (0..<20_000).filter { !filter.mayContain(account: "a\($0 % 7)", key: "k\($0)") }
        let falsePositives = (0..<20_000).filter { filter.mayContain(account: "a\($0 % 7)", key: "fresh\($0)") }
        #expect(missed.isEmpty, "a key put in is never ruled out")
        #expect(falsePositives.count < 400, "\(falsePositives.count) of 20,000 fresh keys looked used")
    }

    @Test func aKeyOutlivesOneRetentionWindowWhateverRotatesMeanwhile() {
        let filter = IdempotencyKeyFilter(bytes: 1 << 16, retentionMs: 1_000, nowMs: 0)
        filter.insert(account: "a", key: "k", atMs: 999)
        // Other keys arriving through the next window rotate every shard's generations.
        for at in stride(from: Int64(1_000), to: 1_998, by: 7) { filter.insert(account: "b", key: "x\(at)", atMs: at) }
        #expect(filter.mayContain(account: "a", key: "k"))
    }

    @Test func freshKeysOnAFullWindowCostNoDiskLookupEvenAfterARestart() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: startMs)
        var engine = try KeyWindowTests.engine(database.path, clock: clock)
        try await openAccount(engine, "acct", credits: 100_000)
        let first = try await debit(engine, "acct", 7, key: "old")
        try await KeyWindowTests.pushOutOfMemory(engine, "acct", count: 100)
        try await Self.waitUntilComplete(engine)

        let before = engine.idempotencyKeyDiskLookups
        for index in 0..<200 { try await debit(engine, "acct", 1, key: "fresh-\(index)") }
        #expect(engine.idempotencyKeyDiskLookups - before <= 2, "fresh keys are ruled out in memory")
        #expect(try await debit(engine, "acct", 7, key: "old").replayed)
        #expect(engine.idempotencyKeyDiskLookups > before, "an old key is looked up")

        await engine.close()
        engine = try KeyWindowTests.engine(database.path, clock: clock)
        try await Self.waitUntilComplete(engine)
        let afterRestart = engine.idempotencyKeyDiskLookups
        try await debit(engine, "acct", 1, key: "fresh-after")
        for index in 0..<50 { try await debit(engine, "acct", 1, key: "fresh2-\(index)") }
        #expect(engine.idempotencyKeyDiskLookups - afterRestart <= 2)
        let again = try await debit(engine, "acct", 7, key: "old")
        #expect(again.replayed && again.value == first.value, "the refilled filter still knows the old key")
        await engine.close()
    }

    @Test func closingTheEngineStopsAndAwaitsTheFilterFill() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: startMs)
        var engine = try KeyWindowTests.engine(database.path, clock: clock)
        try await openAccount(engine, "acct", credits: 100_000)
        try await KeyWindowTests.pushOutOfMemory(engine, "acct", count: 500)
        await engine.close()

        // Closed at once after a start, while the fill may still be reading its 500 keys.
        engine = try KeyWindowTests.engine(database.path, clock: clock)
        await engine.close()
        #expect(engine.keyFilterFill.hasFinished, "close() returned with the fill still reading")
    }

    static func waitUntilComplete(_ engine: Engine) async throws {
        let cutoff = engine.clock.nowMs() - 3_600_000
        while engine.context.idempotencyKeyFilter.completeSinceMs > cutoff { try await Task.sleep(for: .milliseconds(5)) }
    }
}
