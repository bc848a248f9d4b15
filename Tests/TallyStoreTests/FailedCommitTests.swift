// Proves a failed commit (CHECK violation, or database full via maxPageCount) fails exactly its batch with
// nothing on disk, is fenced before it is answered, refuses those accounts until `resumesAccount`,
// serves others, and recovers.
import Foundation
import TallyCore
@testable import TallyStore
import TallyTesting
import Testing

@Suite struct FailedCommitTests {
    static func account(_ id: String, metadata: [String: String] = [:]) -> StoreChange {
        .putAccount(Account(id: id, metadata: metadata, createdAtMs: t0), debt: 0)
    }

    static func lot(_ id: LotID, _ account: String, amount: Credits = 100, remaining: Credits? = nil) -> StoreChange {
        .putLot(account: account, Lot(
            id: id, source: .topup, amount: amount, remaining: remaining ?? amount, reserved: 0, consumed: 0,
            expired: 0, priority: 10, expiresAtMs: nil, createdAtMs: t0, reference: nil))
    }

    @Test func aCheckViolationFailsExactlyItsBatch() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }
        try await commit(store, "before", [Self.account("before"), Self.lot(1, "before")])

        let gate = await WriterGate(store)
        let outcomes = Outcomes()
        store.writer.submit(StoreMutation(account: "a", changes: [Self.account("a"), Self.lot(10, "a")], completion: outcomes.completion("a")))
        // remaining > amount breaks `consumed + reserved + expired + remaining = amount`.
        store.writer.submit(StoreMutation(account: "b", changes: [Self.account("b"), Self.lot(11, "b", amount: 5, remaining: 6)], completion: outcomes.completion("b")))
        store.writer.submit(StoreMutation(account: "c", changes: [Self.account("c"), Self.lot(12, "c")], completion: outcomes.completion("c")))
        gate.open()
        #expect(await outcomes.wait())

        for name in ["a", "b", "c"] {
            let error = try #require(outcomes[name]?.error, "\(name) must fail with its batch")
            #expect(error.primaryCode == SQLiteCode.constraint, "\(error)")
        }
        #expect(try count(database.path, "SELECT count(*) FROM accounts WHERE id IN ('a', 'b', 'c')") == 0)
        #expect(try count(database.path, "SELECT count(*) FROM lots WHERE id IN (10, 11, 12)") == 0)
        #expect(try count(database.path, "SELECT count(*) FROM accounts WHERE id = 'before'") == 1)
        #expect(store.writer.currentStatistics.failedBatches == 1)

        // The accounts of the failed batch are refused until one is reloaded; others go on.
        for name in ["a", "b", "c"] {
            let refused = await submit(store, name, [Self.account(name)])
            #expect(refused.error?.kind == .accountReloading, "\(name): \(refused)")
        }
        try await commit(store, "d", [Self.account("d"), Self.lot(13, "d")])
        try await commit(store, "before", [Self.lot(2, "before")])

        try await commit(store, "a", [Self.account("a"), Self.lot(10, "a")], resumesAccount: true)
        try await commit(store, "a", [Self.lot(14, "a")])
        #expect(await submit(store, "b", [Self.account("b")]).error?.kind == .accountReloading, "b is still refused")
        try await commit(store, "b", [Self.account("b")], resumesAccount: true)
        try await commit(store, "c", [Self.account("c")], resumesAccount: true)

        #expect(try count(database.path, "SELECT count(*) FROM accounts") == 6)
        #expect(try count(database.path, "SELECT count(*) FROM lots WHERE account_id = 'a'") == 2)
        #expect(store.writer.currentStatistics.failedBatches == 1)
    }

    /// The fence (a committed bump of `user_version`) is on disk before the failure is answered,
    /// so the failed commit's frames are past the end of the WAL's checksum chain by then.
    @Test func aFailedCommitIsFencedBeforeItIsAnswered() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }
        try await commit(store, "a", [Self.account("a")])
        #expect(try count(database.path, "PRAGMA user_version") == 0)
        let failed = await submit(store, "b", [Self.account("b"), Self.lot(11, "b", amount: 5, remaining: 6)])
        #expect(failed.error != nil)
        #expect(try count(database.path, "PRAGMA user_version") == 1)
    }

    @Test func aRefusedMutationInTheSameBatchAsItsResumeIsServedInOrder() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }
        #expect(await submit(store, "a", [Self.account("a"), Self.lot(1, "a", amount: 1, remaining: 2)]).error != nil)

        // Queued behind one another in one batch: the stale one is refused, the resume and what
        // follows it are written.
        let gate = await WriterGate(store)
        let outcomes = Outcomes()
        store.writer.submit(StoreMutation(account: "a", changes: [Self.lot(2, "a")], completion: outcomes.completion("stale")))
        store.writer.submit(StoreMutation(account: "a", changes: [Self.account("a")], resumesAccount: true, completion: outcomes.completion("resume")))
        store.writer.submit(StoreMutation(account: "a", changes: [Self.lot(3, "a")], completion: outcomes.completion("next")))
        gate.open()
        #expect(await outcomes.wait())
        #expect(outcomes["stale"]?.error?.kind == .accountReloading)
        #expect(outcomes["resume"]?.succeeded == true)
        #expect(outcomes["next"]?.succeeded == true)
        #expect(try count(database.path, "SELECT count(*) FROM lots WHERE account_id = 'a'") == 1)
        #expect(try count(database.path, "SELECT id FROM lots WHERE account_id = 'a'") == 3)
    }

    @Test func aFullDatabaseFailsTheBatchAndTheWriterRecovers() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        try openStore(database.path).close()
        let pages = try count(database.path, "PRAGMA page_count")
        // A few pages of room: small rows fit, an account with 23 KiB of metadata and 400 lots does not.
        let store = try openStore(database.path, maxPageCount: Int(pages) + 6)
        var bigMetadata: [String: String] = [:]
        for index in 0..<48 { bigMetadata["k\(index)"] = String(repeating: "x", count: 480) + String(index) }
        let huge = (0..<400).map { Self.lot(LotID(1_000 + $0), "big", amount: 1) }

        try await commit(store, "small-1", [Self.account("small-1"), Self.lot(1, "small-1")])

        let gate = await WriterGate(store)
        let outcomes = Outcomes()
        store.writer.submit(StoreMutation(account: "x", changes: [Self.account("x"), Self.lot(2, "x")], completion: outcomes.completion("x")))
        store.writer.submit(StoreMutation(account: "big", changes: [Self.account("big", metadata: bigMetadata)] + huge, completion: outcomes.completion("big")))
        store.writer.submit(StoreMutation(account: "y", changes: [Self.account("y"), Self.lot(3, "y")], completion: outcomes.completion("y")))
        gate.open()
        #expect(await outcomes.wait())
        for name in ["x", "big", "y"] {
            let error = try #require(outcomes[name]?.error, "\(name) must fail with its batch")
            #expect(error.primaryCode == SQLiteCode.full, "\(error)")
        }
        #expect(try count(database.path, "SELECT count(*) FROM accounts WHERE id IN ('x', 'big', 'y')") == 0)
        #expect(try count(database.path, "SELECT count(*) FROM lots WHERE account_id IN ('x', 'big', 'y')") == 0)

        // The writer goes on by itself: a small mutation of another account still fits.
        try await commit(store, "small-2", [Self.account("small-2"), Self.lot(4, "small-2")])
        #expect(await submit(store, "x", [Self.account("x")]).error?.kind == .accountReloading)
        try await commit(store, "x", [Self.account("x"), Self.lot(2, "x")], resumesAccount: true)
        // Still too big under the cap, even when resuming.
        #expect(await submit(store, "big", [Self.account("big", metadata: bigMetadata)] + huge, resumesAccount: true).error?.primaryCode == SQLiteCode.full)
        store.close()
        #expect(try Connection(path: database.path, readOnly: true).pragma("integrity_check") == "ok")

        // The cap lifted (a store opened without it), the same writes go through.
        let lifted = try openStore(database.path)
        try await commit(lifted, "big", [Self.account("big", metadata: bigMetadata)] + huge)
        try await commit(lifted, "y", [Self.account("y"), Self.lot(3, "y")])
        lifted.close()
        #expect(try count(database.path, "SELECT count(*) FROM accounts") == 6, "small-1, small-2, x, big, y and the gate")
        #expect(try count(database.path, "SELECT count(*) FROM lots WHERE account_id = 'big'") == 400)
        let reader = try Connection(path: database.path, readOnly: true)
        #expect(try reader.accountRow(id: "big")?.0.metadata == bigMetadata)
        #expect(try reader.pragma("integrity_check") == "ok")
    }

    /// Regression (fixed in 3d05075): a batch made only of refused mutations returned before the
    /// writer recorded it, so the time the oldest mutation started waiting was never cleared and,
    /// once `maxQueueDelayMs` passed, `hasCapacity` stayed false: the engine, which checks it
    /// before every submission, would have answered `overloaded` to every caller from then on.
    @Test func aBatchOfOnlyRefusedMutationsLeavesTheWriterWithCapacity() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = QueueClock()
        let store = try openStore(database.path, maxQueueDelayMs: 20, queueClock: clock)
        defer { store.close() }

        #expect(await submit(store, "a", [Self.account("a"), Self.lot(1, "a", amount: 1, remaining: 2)]).error != nil)
        clock.advance(byMs: 100)
        #expect(store.writer.hasCapacity, "an idle writer after a failed batch has capacity")

        #expect(await submit(store, "a", [Self.account("a")]).error?.kind == .accountReloading)
        #expect(store.writer.currentStatistics.queueDepth == 0)
        clock.advance(byMs: 100)
        #expect(store.writer.hasCapacity, "an idle writer with an empty queue has capacity")
        #expect(store.writer.currentStatistics.failedBatches == 1, "a batch of refusals is not a failed commit")

        try await commit(store, "b", [Self.account("b")])
        try await commit(store, "a", [Self.account("a")], resumesAccount: true)
        #expect(store.writer.hasCapacity)
    }
}
