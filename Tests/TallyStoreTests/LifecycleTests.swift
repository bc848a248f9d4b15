// Proves the writer's back-pressure (queueLimit, maxQueueDelayMs) and shutdown: close() commits what is
// queued and refuses the rest; pins the known hang of a read after close().
import Foundation
import TallyCore
@testable import TallyStore
import TallyTesting
import Testing

@Suite struct LifecycleTests {
    static func account(_ id: String) -> [StoreChange] { [.putAccount(Account(id: id, createdAtMs: t0), debt: 0)] }

    @Test func capacityEndsAtTheQueueLimit() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try Store(configuration: StoreConfiguration(path: database.path, durability: .normal, queueLimit: 3, maxQueueDelayMs: 60_000), nowMs: t0)
        defer { store.close() }
        let gate = await WriterGate(store)
        let outcomes = Outcomes()
        for index in 0..<3 {
            #expect(store.writer.hasCapacity, "\(index) queued")
            store.writer.submit(StoreMutation(account: "a\(index)", changes: Self.account("a\(index)"), completion: outcomes.completion("a\(index)")))
        }
        #expect(!store.writer.hasCapacity, "the queue is full")
        gate.open()
        #expect(await outcomes.wait())
        #expect(store.writer.hasCapacity)
    }

    @Test func capacityEndsWhenTheOldestMutationWaitedTooLong() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let clock = QueueClock()
        let store = try openStore(database.path, maxQueueDelayMs: 20, queueClock: clock)
        defer { store.close() }
        let gate = await WriterGate(store)
        #expect(store.writer.hasCapacity, "nothing is waiting")
        let outcomes = Outcomes()
        store.writer.submit(StoreMutation(account: "a", changes: Self.account("a"), completion: outcomes.completion("a")))
        clock.advance(byMs: 19)
        #expect(store.writer.hasCapacity, "the queued mutation is still within maxQueueDelayMs")
        clock.advance(byMs: 1)
        #expect(!store.writer.hasCapacity, "the queued mutation has waited past maxQueueDelayMs")
        gate.open()
        #expect(await outcomes.wait())
        #expect(store.writer.hasCapacity, "drained")
        #expect(outcomes["a"]?.succeeded == true, "shedding refuses new work, it never drops queued work")
    }

    @Test func closeCommitsWhatIsQueued() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        // A delay bound that never trips, so only stopping takes the capacity away.
        let store = try openStore(database.path, maxQueueDelayMs: 3_600_000)
        let gate = await WriterGate(store)
        let outcomes = Outcomes()
        for index in 0..<20 {
            store.writer.submit(StoreMutation(account: "a\(index)", changes: Self.account("a\(index)"), completion: outcomes.completion("a\(index)")))
        }
        let closed = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            store.close()
            closed.signal()
        }
        // close() is waiting for the writer; what arrives now is refused, what was queued is not.
        for _ in 0..<2_000 where store.writer.hasCapacity { try await Task.sleep(for: .milliseconds(5)) }
        #expect(!store.writer.hasCapacity, "close() has begun")
        let late = Outcomes()
        store.writer.submit(StoreMutation(account: "late", changes: Self.account("late"), completion: late.completion("late")))
        gate.open()
        #expect(await outcomes.wait())
        #expect(await late.wait())
        #expect(outcomes.all.count == 20)
        #expect(outcomes.all.values.allSatisfy { $0.succeeded })
        #expect(late["late"]?.error?.kind == .closed)
        #expect(closed.wait(timeout: .now() + 10) == .success)
        #expect(try count(database.path, "SELECT count(*) FROM accounts") == 21, "the 20 and the gate")
        #expect(try count(database.path, "SELECT count(*) FROM accounts WHERE id = 'late'") == 0)
    }

    /// A read after `Store.close()` fails with `StoreError.closed` instead of waiting forever for a
    /// thread that will never run it (in the engine, a request loading an account after close).
    @Test func aReadAfterCloseFailsInsteadOfHanging() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path)
        store.close()

        let answered = DispatchSemaphore(value: 0)
        let readers = store.readers
        // Unstructured on purpose: if the read hangs, nothing waits for it. The wait is long
        // because a busy test run may not schedule the task for a while; only a hang exceeds it.
        Task.detached {
            do {
                _ = try await readers.read { connection throws(StoreError) in try connection.highestAllocatedID() }
            } catch {
                answered.signal()  // The answer that is wanted: StoreError.closed.
            }
        }
        let returned = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: answered.wait(timeout: .now() + 60) == .success) }
        }
        #expect(returned, "a read after close() returns (with StoreError.closed) instead of hanging")
    }
}
