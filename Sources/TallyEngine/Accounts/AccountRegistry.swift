import Synchronization
import TallySystem

/// Finds the one live actor of an account, creating it on first use.
///
/// Sharded by account id so that lookups from many threads do not meet on one lock.
final class AccountRegistry: Sendable {
    private static let shardCount = 64
    private let shards: [Shard]
    private let context: EngineContext

    init(context: EngineContext) {
        self.context = context
        shards = (0..<Self.shardCount).map { _ in Shard() }
    }

    /// The account's actor; created unloaded if there is none.
    func actor(for id: String) -> AccountActor {
        shard(id).actors.withLock { actors in
            if let actor = actors[id] { return actor }
            let actor = AccountActor(id: id, context: context)
            actors[id] = actor
            return actor
        }
    }

    /// Forgets `actor` if it is still the one registered for `id`.
    func remove(_ id: String, actor: AccountActor) {
        shard(id).actors.withLock { actors in
            if actors[id] === actor { actors[id] = nil }
        }
    }

    /// How many accounts are loaded.
    var count: Int { shards.reduce(0) { $0 + $1.actors.withLock { $0.count } } }

    /// Every registered actor, for the eviction sweep.
    func all() -> [AccountActor] { shards.flatMap { $0.actors.withLock { Array($0.values) } } }

    /// Evicts actors idle longer than the configured time, or sooner when too many are loaded.
    ///
    /// `nowUptimeMs` is the monotonic time to judge idleness by: the engine's timer passes the
    /// clock's reading, and a test a later instant instead of waiting for one.
    func sweep(nowUptimeMs: Int64 = MonotonicClock.nowMs()) async {
        let configuration = context.configuration
        let idleMs = count > configuration.maxLoadedAccounts ? 1_000 : configuration.idleEvictionMs
        for actor in all() where await actor.retireIfIdle(nowUptimeMs: nowUptimeMs, idleMs: idleMs) {
            remove(actor.id, actor: actor)
        }
    }

    private func shard(_ id: String) -> Shard {
        var hasher = Hasher()
        hasher.combine(id)
        return shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.shardCount))]
    }
}

/// One lock-protected slice of the registry.
private final class Shard: Sendable {
    let actors = Mutex<[String: AccountActor]>([:])
}
