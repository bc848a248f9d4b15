// Proves the engine's retention pass: events leave `events` once older than `eventsMs` on the
// engine's clock, never while younger, not at all with 0, and always in batches of the configured
// size until none is left; the ledger and its verification are untouched.
import TallyCore
import TallyEngine
import TallyStore
import TallyTesting
import Testing

@Suite struct RetentionPassTests {
    static let day: Int64 = 86_400_000

    func engine(_ database: TempDatabase, clock: ManualClock, retention: RetentionSettings) throws -> Engine {
        let configuration = EngineConfiguration(
            store: storeConfiguration(database.path), webhooks: WebhookSettings(deliver: false), retention: retention)
        return try Engine(configuration: configuration, clock: clock, wallClock: clock)
    }

    func eventCount(_ engine: Engine) async throws -> Int {
        try await engine.events(EventQuery(limit: 1_000)).count
    }

    @Test func eventsGoOnceOlderThanTheirRetentionInBatches() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: startMs)
        // Passes are run by hand: the timer's first one comes after a day of real time.
        let retention = RetentionSettings(eventsMs: 30 * Self.day, passIntervalMs: Self.day, batchLimit: 2)
        let engine = try engine(database, clock: clock, retention: retention)
        for index in 0..<5 { try await openAccount(engine, "acct-\(index)", credits: 100) }
        #expect(try await eventCount(engine) == 5, "one credits.added per top-up")

        _ = clock.advance(byMs: 30 * Self.day)
        #expect(await engine.pruneExpiredRecords() == 0, "exactly as old as the retention is not older")
        #expect(try await eventCount(engine) == 5)

        _ = clock.advance(byMs: 1)
        let commits = await engine.pruneExpiredRecords()
        #expect(commits == 3, "five events, two per commit")
        #expect(try await eventCount(engine) == 0)
        #expect(try await engine.account("acct-4").balance.available == 100, "the ledger is the record and stays")
        await engine.close()
        #expect(try verifyLedger(database.path).violations.isEmpty)
    }

    @Test func zeroKeepsEventsForGood() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = ManualClock(startMs: startMs)
        let engine = try engine(database, clock: clock, retention: RetentionSettings(eventsMs: 0, passIntervalMs: Self.day))
        try await openAccount(engine, "kept", credits: 10)
        _ = clock.advance(byMs: 3_650 * Self.day)
        #expect(await engine.pruneExpiredRecords() == 0)
        #expect(try await eventCount(engine) == 1)
        await engine.close()
    }
}
