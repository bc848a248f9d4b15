import Foundation
import TallyCore
import TallyStore
import TallySystem

/// The library API of Tally: accounts, credits, authorizations, holds, refunds and the ledger.
///
/// Every mutation answers only after it is durable; every mutation takes an optional
/// idempotency key whose first outcome is replayed for retries. Open one engine per database.
public final class Engine: Sendable {
    let context: EngineContext
    let registry: AccountRegistry
    let dueWork: DueWork
    /// Nil when the configuration turns delivery off.
    let dispatcher: WebhookDispatcher?
    let retention: Retention
    private let sweeper: Task<Void, Never>
    private let scheduler: Task<Void, Never>
    /// The thread filling the idempotency key filter from disk after a start.
    let keyFilterFill: WorkerThread
    private let pruner: Task<Void, Never>
    private let delivery: Task<Void, Never>?

    /// Opens the store, continues the id sequence and starts the eviction sweep.
    ///
    /// `wallClock` stamps what happens in real time whatever `clock` says (webhook attempts);
    /// tests give both.
    public init(
        configuration: EngineConfiguration, clock: any MillisecondClock = SystemClock(),
        wallClock: any MillisecondClock = SystemClock()
    ) throws(EngineError) {
        do throws(StoreError) {
            let store = try Store(configuration: configuration.store, nowMs: clock.nowMs())
            let highest: Int64
            do throws(StoreError) {
                highest = try store.highestAllocatedID()
            } catch {
                store.close()  // otherwise its threads would outlive the failed start
                throw error
            }
            context = EngineContext(store: store, clock: clock, ids: IDAllocator(after: highest), configuration: configuration)
        } catch {
            throw .storage(error)
        }
        keyFilterFill = Engine.fillKeyFilter(context)
        let registry = AccountRegistry(context: context)
        self.registry = registry
        let dueWork = DueWork(context: context, registry: registry)
        self.dueWork = dueWork
        sweeper = Engine.every(.seconds(1), priority: .low) { await registry.sweep() }
        scheduler = Engine.every(.milliseconds(configuration.dueWorkIntervalMs), priority: .medium) { await dueWork.run() }
        let retention = Retention(context: context, wallClock: wallClock)
        self.retention = retention
        pruner = Engine.every(.milliseconds(configuration.retention.passIntervalMs), priority: .low) { await retention.run() }
        let dispatcher = configuration.webhooks.deliver ? WebhookDispatcher(context: context, wallClock: wallClock) : nil
        self.dispatcher = dispatcher
        let pollMs = configuration.webhooks.pollIntervalMs
        delivery = dispatcher.map { dispatcher in
            Task.detached(priority: .medium) {
                while !Task.isCancelled {
                    // A pass that started work goes again at once; with every slot taken the next
                    // comes within a millisecond (each attempt that ends makes room); an idle one
                    // waits for the next poll.
                    if await dispatcher.pass() == 0 {
                        try? await Task.sleep(for: .milliseconds(dispatcher.isFull ? 1 : pollMs))
                    }
                }
            }
        }
    }

    /// Runs `work` after every `interval` until cancelled.
    ///
    /// A cancelled sleep ends the loop before `work`: the engine cancels these as it closes, and one
    /// more pass then would run against a closing store (a retention pass at a restart once pruned
    /// a test-clock year's events mid-simulation).
    private static func every(
        _ interval: Duration, priority: TaskPriority, _ work: @escaping @Sendable () async -> Void
    ) -> Task<Void, Never> {
        Task.detached(priority: priority) {
            while true {
                do { try await Task.sleep(for: interval) } catch { return }
                await work()
            }
        }
    }

    /// Releases expired holds and books expired lots on accounts nobody is touching; the engine
    /// does this every `dueWorkIntervalMs` by itself, and `--test-clock` after each advance.
    /// Returns how many accounts it brought up to date.
    @discardableResult
    public func runDueWork() async -> Int { await dueWork.run() }

    /// Deletes events and webhook deliveries past their retention (``RetentionSettings``); the
    /// engine does this every `passIntervalMs` by itself. Returns how many pruning commits it made.
    @discardableResult
    public func pruneExpiredRecords() async -> Int { await retention.run() }

    /// Stores the clock's time durably, so a `--test-clock` server restarted on this database
    /// resumes from it (``StoreAdministration/testClockMs()``).
    public func recordClock() async throws(EngineError) {
        if case .failure(let error) = await context.commit([.putTestClock(nowMs: clock.nowMs())]) { throw .storage(error) }
    }

    /// Puts the keys on disk within retention into the key filter, on a thread of its own, and
    /// then declares it complete; until then every key absent from memory is looked up on disk.
    ///
    /// ``close()`` stops it and waits for it: a fill still reading when the store closes would
    /// read a closed database.
    private static func fillKeyFilter(_ context: EngineContext) -> WorkerThread {
        let filter = context.idempotencyKeyFilter
        let store = context.store
        let sinceMs = context.clock.nowMs() - context.configuration.idempotencyRetentionMs
        let worker = WorkerThread()
        worker.start(name: "tally-key-filter") { [worker] in
            do throws(StoreError) {
                try store.forEachIdempotencyKey(sinceMs: sinceMs) { account, key in
                    filter.insert(account: account, key: key, atMs: sinceMs)
                    return !worker.isStopping
                }
                // Stopped part way, the filter stays incomplete: the engine is closing anyway.
                if !worker.isStopping { filter.markComplete(since: sinceMs) }
            } catch {
                // The filter stays incomplete: correct, only slower (every miss is looked up).
                FileHandle.standardError.write(Data("tally: idempotency key filter not filled: \(error)\n".utf8))
            }
        }
        return worker
    }

    /// The clock the engine reads.
    public var clock: any MillisecondClock { context.clock }

    /// The store underneath; outside the engine only tests reach it (``Engine+Operations``).
    var store: Store { context.store }

    /// How many accounts are loaded in memory.
    public var loadedAccounts: Int { registry.count }

    /// The memory the accounts' in-memory idempotency keys take together.
    public var idempotencyKeyMemoryBytes: Int { context.idempotencyKeyMemory.total }

    /// How many idempotency keys were looked up on disk because memory and the key filter
    /// could not rule them out.
    public var idempotencyKeyDiskLookups: Int { context.idempotencyKeyMemory.diskLookups }

    /// Commits what is queued and stops the store's threads.
    public func close() async {
        sweeper.cancel()
        scheduler.cancel()
        pruner.cancel()
        delivery?.cancel()
        dispatcher?.stop()
        let store = context.store
        let dispatcher = self.dispatcher
        let keyFilterFill = self.keyFilterFill
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // Joining the store's threads blocks, so it happens on a thread of its own.
            Thread.detachNewThread {
                keyFilterFill.stop()
                dispatcher?.shutdownClient()
                store.close()
                continuation.resume()
            }
        }
    }

    /// Runs `body` on the account's actor, looking it up again if it was evicted meanwhile.
    func withAccount<T>(
        _ id: String, _ body: (AccountActor) async throws(ActorFailure) -> T
    ) async throws(EngineError) -> T {
        while true {
            let actor = registry.actor(for: id)
            do throws(ActorFailure) {
                return try await body(actor)
            } catch {
                switch error {
                case .retired: registry.remove(id, actor: actor)
                case .engine(let failure): throw failure
                }
            }
        }
    }

    /// Runs one of the store's typed reads, mapping store failures.
    func read<T>(_ body: (Store) async throws(StoreError) -> T) async throws(EngineError) -> T {
        do throws(StoreError) {
            return try await body(context.store)
        } catch {
            throw .storage(error)
        }
    }

    /// Builds a keyed request after checking the key (``Limits/isIdempotencyKey(_:)``).
    static func keyed(_ key: String?, _ fields: [String]) throws(EngineError) -> IdempotentRequest? {
        guard let key else { return nil }
        guard Limits.isIdempotencyKey(key) else { throw .rejected(.invalidIdempotencyKey) }
        return IdempotentRequest(key: key, canonical: Fingerprint.make(fields))
    }

    /// Checks an account id before it is used to find or create an actor.
    static func checked(_ id: String) throws(EngineError) -> String {
        do throws(Rejection) {
            try AccountRules.validate(id: id)
        } catch {
            throw .rejected(.accountNotFound)
        }
        return id
    }
}
