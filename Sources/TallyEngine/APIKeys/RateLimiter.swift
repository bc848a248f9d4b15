import Synchronization
import TallyCore

/// The rate-limit counters of keys and accounts, in memory (a restart may reset them, as DESIGN
/// allows), sharded so concurrent accounts rarely share a lock.
final class RateLimiter: Sendable {
    /// Whose counter a request counts against.
    enum Scope: Hashable, Sendable {
        case key(Int64)
        case account(String)
    }

    private final class Shard: Sendable {
        let states = Mutex<[Scope: RateLimitState]>([:])
    }

    private static let shardCount = 64
    private let shards = (0..<RateLimiter.shardCount).map { _ in Shard() }

    /// Counts one request against `scope` under `limit` at `nowMs` and says whether it may pass.
    func decide(_ scope: Scope, _ limit: RateLimit, nowMs: Int64) -> RateDecision? {
        guard let gcra = GCRA(limit) else { return nil }
        let shard = shards[Int(UInt(bitPattern: scope.hashValue) % UInt(Self.shardCount))]
        return shard.states.withLock { states in
            var state = states[scope] ?? RateLimitState()
            let decision = gcra.decide(&state, nowMs: nowMs)
            // A full bucket is the same as no entry: drop it so idle scopes cost no memory.
            if state.isFull(atMs: nowMs) { states[scope] = nil } else { states[scope] = state }
            return decision
        }
    }
}
