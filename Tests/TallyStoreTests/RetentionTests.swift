// Proves what retention deletes and what it must keep: delivered and failed deliveries (with their
// attempts) past their own cutoffs go, pending ones never do; events past theirs go only once no
// delivery of them is kept; a batch deletes at most its limit; the ledger is untouched.
import Foundation
import TallyCore
@testable import TallyStore
import TallyTesting
import Testing

@Suite struct RetentionTests {
    static let day: Int64 = 86_400_000

    /// One endpoint receiving every event, and `count` events a day apart from `t0`.
    func seeded(_ store: Store, events count: Int) async throws {
        let endpoint = EndpointRecord(
            id: 1, url: "https://example.com/hook", description: nil, eventTypes: [], account: nil,
            secret: "whsec_test", createdAtMs: t0)
        try await commit(store, "", [.putEndpoint(endpoint)])
        for index in 0..<count {
            let atMs = t0 + Int64(index) * Self.day
            let event = EventRow(id: Int64(100 + index), account: "acct", accountSeq: Int64(index + 1), type: "credits.added", atMs: atMs, body: Array("{}".utf8))
            try await commit(store, "", [.appendEvent(event)])
        }
    }

    /// Finishes the delivery of event `eventID` with `status` at `atMs`, one attempt logged.
    func finish(_ store: Store, eventID: Int64, _ status: DeliveryRecord.Status, atMs: Int64) async throws {
        let delivery = try #require(try deliveries(store).first { $0.event == eventID })
        let attempt = AttemptRecord(
            delivery: delivery.id, attempt: 1, atMs: atMs, durationMs: 1, outcome: status == .succeeded ? "success" : "http_status",
            httpStatus: status == .succeeded ? 204 : 500, responseExcerpt: [], error: nil)
        let progress = DeliveryProgress(
            delivery: delivery.id, status: status, attempts: 1, firstAttemptAtMs: atMs, nextAttemptAtMs: nil,
            lastOutcome: attempt.outcome, lastStatus: attempt.httpStatus, finishedAtMs: atMs)
        try await commit(store, "", [.recordAttempt(attempt, progress)])
    }

    func deliveries(_ store: Store) throws -> [DeliveryRecord] {
        try Connection(path: store.configuration.path, readOnly: true).deliveries(endpoint: 1, before: .max, limit: 1_000)
    }

    func eventIDs(_ store: Store) throws -> [Int64] {
        try Connection(path: store.configuration.path, readOnly: true).events(EventQuery(afterID: 0, limit: 1_000)).map(\.id)
    }

    @Test func eachKindGoesAfterItsOwnCutoffAndPendingOnesStay() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }
        try await seeded(store, events: 4)
        try await finish(store, eventID: 100, .succeeded, atMs: t0)
        try await finish(store, eventID: 101, .failed, atMs: t0 + Self.day)
        try await finish(store, eventID: 102, .succeeded, atMs: t0 + 2 * Self.day)
        // Event 103's delivery stays pending.

        let cutoffs = RetentionCutoffs(
            deliveredBeforeMs: t0 + 3 * Self.day, failedBeforeMs: t0 + Self.day, eventsBeforeMs: t0 + 10 * Self.day)
        try await commit(store, "", [.pruneExpiredRecords(cutoffs, limit: 100)])

        // Both delivered ones were past their cutoff; the failed one finished exactly at its
        // cutoff, which is not before it; the pending one is never pruned.
        #expect(try deliveries(store).map(\.event).sorted() == [101, 103])
        // Events 100 and 102 lost their last delivery earlier in the same commit, so they went
        // too; 101 and 103 stay with their kept deliveries although past the events' cutoff.
        #expect(try eventIDs(store) == [101, 103])
        #expect(try !Connection(path: database.path, readOnly: true).hasExpiredRecords(cutoffs))
        #expect(try count(database.path, "SELECT count(*) FROM webhook_attempts") == 1, "only the failed delivery's attempt is left")
    }

    @Test func eventsWithoutDeliveriesGoByTheirTimeAndABatchStopsAtItsLimit() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }
        for index in 0..<5 {
            let event = EventRow(id: Int64(10 + index), account: "acct", accountSeq: Int64(index + 1), type: "credits.added", atMs: t0 + Int64(index) * Self.day, body: Array("{}".utf8))
            try await commit(store, "", [.appendEvent(event)])
        }
        let cutoffs = RetentionCutoffs(deliveredBeforeMs: nil, failedBeforeMs: nil, eventsBeforeMs: t0 + 3 * Self.day)
        try await commit(store, "", [.pruneExpiredRecords(cutoffs, limit: 2)])
        #expect(try eventIDs(store) == [12, 13, 14], "the oldest two first")
        try await commit(store, "", [.pruneExpiredRecords(cutoffs, limit: 2)])
        #expect(try eventIDs(store) == [13, 14], "event 13 happened at the cutoff, which is not before it")
        let nothing = RetentionCutoffs(deliveredBeforeMs: nil, failedBeforeMs: nil, eventsBeforeMs: nil)
        #expect(nothing.keepsEverything)
        #expect(try !Connection(path: database.path, readOnly: true).hasExpiredRecords(nothing))
    }

    @Test func theLedgerIsNeverPruned() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }
        var ledger = LedgerBuilder("acct", idBase: 1_000)
        try await commit(store, "acct", ledger.creation)
        try await commit(store, "acct", try ledger.credit(500).changes)
        let everything = RetentionCutoffs(deliveredBeforeMs: .max, failedBeforeMs: .max, eventsBeforeMs: .max)
        try await commit(store, "", [.pruneExpiredRecords(everything, limit: 1_000)])
        #expect(try count(database.path, "SELECT count(*) FROM entries") == 1)
        let result = try LedgerVerifier(connection: Connection(path: database.path, readOnly: true)).verify()
        #expect(result.violations.isEmpty, "\(result.violations)")
    }
}
