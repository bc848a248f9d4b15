// Proves group commit: mutations from many threads/tasks all commit, completions run only after COMMIT
// (a separate connection sees the rows), load forms batches > 1, and repeated row states fold to the last.
import Foundation
import TallyCore
@testable import TallyStore
import TallyTesting
import Testing

@Suite struct GroupCommitTests {
    /// One mutation: an account row, a lot and an entry-less idempotency record.
    static func changes(_ account: String, lotID: LotID) -> [StoreChange] {
        [
            .putAccount(Account(id: account, createdAtMs: t0), debt: 0),
            .putLot(account: account, Lot(id: lotID, source: .topup, amount: 10, priority: 10, expiresAtMs: nil, createdAtMs: t0, reference: nil)),
            .putIdempotency(IdempotencyRecord(account: account, key: "k-\(lotID)", fingerprint: [1], response: [2], createdAtMs: t0)),
        ]
    }

    @Test func everyMutationFromManyThreadsAndTasksCommitsBeforeItsCompletion() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path, durability: .full)
        let path = database.path
        let outcomes = Outcomes()

        // Each completion opens its own connection and looks for the mutation's rows: they must
        // already be committed when it runs.
        @Sendable func mutation(_ name: String, lotID: LotID) -> StoreMutation {
            let record = outcomes.completion(name)
            return StoreMutation(account: name, changes: Self.changes(name, lotID: lotID)) { result in
                if case .success = result {
                    do {
                        let reader = try Connection(path: path, readOnly: true)
                        let visible = try reader.cached("SELECT count(*) FROM lots WHERE id = ? AND account_id = ?")
                            .rows([lotID, name]) { $0.int(0) }.first
                        let keys = try reader.cached("SELECT count(*) FROM idempotency WHERE account_id = ?")
                            .rows([name]) { $0.int(0) }.first
                        if visible != 1 || keys != 1 { outcomes.note("\(name) not visible in its completion") }
                    } catch {
                        outcomes.note("\(name): \(error)")
                    }
                }
                record(result)
            }
        }

        let threads = 8
        let perThread = 40
        let tasks = 16
        let perTask = 20
        var names: [String] = []
        for thread in 0..<threads {
            let batch = (0..<perThread).map { ("thread-\(thread)-\($0)", LotID(1_000 + thread * 100 + $0)) }
            names += batch.map(\.0)
            let mutations = batch.map { mutation($0.0, lotID: $0.1) }
            let writer = store.writer
            Thread.detachNewThread { for item in mutations { writer.submit(item) } }
        }
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                let batch = (0..<perTask).map { ("task-\(task)-\($0)", LotID(10_000 + task * 100 + $0)) }
                names += batch.map(\.0)
                let mutations = batch.map { mutation($0.0, lotID: $0.1) }
                let writer = store.writer
                group.addTask { for item in mutations { writer.submit(item) } }
            }
        }
        #expect(await outcomes.wait(), "every completion ran")
        store.close()

        let results = outcomes.all
        #expect(results.count == threads * perThread + tasks * perTask)
        #expect(results.values.allSatisfy { $0.succeeded })
        #expect(outcomes.recordedNotes.isEmpty, "\(outcomes.recordedNotes.prefix(5))")
        #expect(try count(database.path, "SELECT count(*) FROM accounts") == Int64(names.count))
        #expect(try count(database.path, "SELECT count(*) FROM lots") == Int64(names.count))
        #expect(try count(database.path, "SELECT count(*) FROM idempotency") == Int64(names.count))
        let statistics = store.writer.currentStatistics
        #expect(statistics.mutations == names.count)
        #expect(statistics.failedBatches == 0)
        #expect(statistics.queueDepth == 0)
    }

    @Test func concurrentLoadFormsBatchesLargerThanOne() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path, durability: .full)
        defer { store.close() }

        let total = 2_000
        let failures = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<32 {
                group.addTask {
                    var failed = 0
                    for index in stride(from: worker, to: total, by: 32) {
                        let name = "acct-\(index)"
                        if await !submit(store, name, Self.changes(name, lotID: LotID(index + 1))).succeeded { failed += 1 }
                    }
                    return failed
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
        let statistics = store.writer.currentStatistics
        #expect(statistics.mutations == total)
        #expect(statistics.largestBatch > 1, "32 waiting callers must share commits")
        #expect(statistics.batches < total)
        #expect(statistics.failedBatches == 0)
    }

    @Test func aBatchIsFormedFromEverythingQueuedWhileTheWriterWasBusy() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }

        let gate = await WriterGate(store)
        let outcomes = Outcomes()
        for index in 0..<50 {
            let name = "acct-\(index)"
            store.writer.submit(StoreMutation(account: name, changes: Self.changes(name, lotID: LotID(index + 1)), completion: outcomes.completion(name)))
        }
        #expect(store.writer.currentStatistics.queueDepth == 50)
        gate.open()
        #expect(await outcomes.wait())
        #expect(outcomes.all.values.allSatisfy { $0.succeeded })
        let statistics = store.writer.currentStatistics
        #expect(statistics.largestBatch == 50)
        #expect(statistics.batches == 2)
    }

    @Test func repeatedLotStatesInOneBatchFoldToTheLast() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }
        try await commit(store, "acct", [.putAccount(Account(id: "acct", createdAtMs: t0), debt: 0)])

        func lot(remaining: Credits, consumed: Credits) -> Lot {
            Lot(id: 7, source: .pack, amount: 100, remaining: remaining, reserved: 0, consumed: consumed, expired: 0,
                priority: 10, expiresAtMs: nil, createdAtMs: t0, reference: "pay_1")
        }
        // Several mutations of one batch rewrite the same lot; one of them even repeats it.
        let gate = await WriterGate(store)
        let outcomes = Outcomes()
        let states = [(100, 0), (90, 10), (75, 25), (60, 40)]
        for (index, state) in states.enumerated() {
            var changes: [StoreChange] = [.putLot(account: "acct", lot(remaining: Credits(state.0), consumed: Credits(state.1)))]
            if index == 2 { changes.append(.putLot(account: "acct", lot(remaining: 70, consumed: 30))) }
            store.writer.submit(StoreMutation(account: "acct", changes: changes, completion: outcomes.completion("m\(index)")))
        }
        // An intermediate state that would break the lot's CHECK is folded away, never written.
        store.writer.submit(StoreMutation(
            account: "acct",
            changes: [.putLot(account: "acct", lot(remaining: 500, consumed: 0)), .putLot(account: "acct", lot(remaining: 55, consumed: 45))],
            completion: outcomes.completion("m-last")))
        gate.open()
        #expect(await outcomes.wait())
        #expect(outcomes.all.values.allSatisfy { $0.succeeded })
        #expect(store.writer.currentStatistics.largestBatch == states.count + 1)

        let reader = try Connection(path: database.path, readOnly: true)
        let lots = try reader.lots(account: "acct")
        #expect(lots == [lot(remaining: 55, consumed: 45)])
    }

    @Test func foldedBatchesKeepEveryEntryInOrder() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        defer { store.close() }
        var builder = LedgerBuilder("hot", idBase: 0)
        try await commit(store, "hot", builder.creation + builder.credit(1_000).changes)

        let gate = await WriterGate(store)
        let outcomes = Outcomes()
        for index in 0..<40 {
            let step = try builder.debit(Credits(1 + index % 3))
            store.writer.submit(StoreMutation(account: "hot", changes: step.changes, completion: outcomes.completion("d\(index)")))
        }
        gate.open()
        #expect(await outcomes.wait())
        #expect(outcomes.all.values.allSatisfy { $0.succeeded })

        let reader = try Connection(path: database.path, readOnly: true)
        let snapshot = try #require(try reader.loadAccount(id: "hot", keysSinceMs: 0))
        #expect(snapshot.state == builder.state)
        #expect(snapshot.state.lastSeq == 41)
        #expect(try reader.entries(EntryQuery(account: "hot", limit: 100)).map(\.seq) == Array(1...41))
        #expect(try LedgerVerifier(connection: reader).verify().violations.isEmpty)
    }

    @Test func submissionsAfterCloseFailWithClosed() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        store.close()
        let result = await submit(store, "acct", [.putAccount(Account(id: "acct", createdAtMs: t0), debt: 0)])
        #expect(result.error?.kind == .closed)
        #expect(!store.writer.hasCapacity)
    }
}
