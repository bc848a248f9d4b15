import Glibc
import Synchronization

/// A fixed-size Bloom filter of the idempotency keys used within retention, so that a fresh
/// key, the usual case, is known to be fresh without a disk lookup.
///
/// It never says "no" for a key used since `completeSinceMs`; it may say "maybe" for one never
/// used, which only costs the lookup it would have cost anyway. Its memory is fixed whatever the
/// traffic: two generations, each kept for one retention window, so a key stays findable for at
/// least that long and old keys stop counting against the false-positive rate. A restart starts
/// it empty and incomplete until the engine has put back the keys on disk within retention.
final class KeyFilter: Sendable {
    private struct Generation {
        var bits: UnsafeMutablePointer<UInt64>?
        var startedAtMs: Int64
    }

    private struct Shard {
        var current: Generation
        var previous: Generation
    }

    /// One shard's lock; a class because a `Mutex` cannot be copied into an array.
    private final class LockedShard: Sendable {
        let state: Mutex<Shard>
        init(startedAtMs: Int64) {
            state = Mutex(Shard(current: Generation(startedAtMs: startedAtMs), previous: Generation(startedAtMs: startedAtMs)))
        }
    }

    private static let shardCount = 16
    private static let probes = 3
    private let wordsPerShard: Int
    private let retentionMs: Int64
    private let shards: [LockedShard]
    private let completeSince = Atomic<Int64>(.max)

    /// A filter of `bytes` in all (two generations), for keys kept `retentionMs`.
    init(bytes: Int, retentionMs: Int64, nowMs: Int64) {
        wordsPerShard = max(1, bytes / 2 / Self.shardCount / 8)
        self.retentionMs = retentionMs
        shards = (0..<Self.shardCount).map { _ in
            LockedShard(startedAtMs: nowMs)
        }
    }

    deinit {
        for shard in shards {
            shard.state.withLock { shard in
                free(shard.current.bits)
                free(shard.previous.bits)
            }
        }
    }

    /// Every key used at or after this instant is in the filter.
    var completeSinceMs: Int64 { completeSince.load(ordering: .acquiring) }

    /// Declares the filter complete from `instant` on (the keys on disk since then are in).
    func markComplete(since instant: Int64) { completeSince.store(instant, ordering: .releasing) }

    /// Adds a key and says whether it may have been there already.
    @discardableResult
    func insert(account: String, key: String, atMs: Int64) -> Bool {
        let (shardIndex, first, step) = hashes(account, key)
        return shards[shardIndex].state.withLock { shard in
            rotateIfDue(&shard, nowMs: atMs)
            let seen = contains(shard.current.bits, first, step) || contains(shard.previous.bits, first, step)
            if shard.current.bits == nil {
                // calloc hands back untouched zero pages: an idle server does not pay for them.
                shard.current.bits = calloc(wordsPerShard, 8)?.assumingMemoryBound(to: UInt64.self)
            }
            if let bits = shard.current.bits {
                for probe in 0..<Self.probes { set(bits, first &+ UInt64(probe) &* step) }
            }
            return seen
        }
    }

    private func contains(_ bits: UnsafeMutablePointer<UInt64>?, _ first: UInt64, _ step: UInt64) -> Bool {
        guard let bits else { return false }
        for probe in 0..<Self.probes where !test(bits, first &+ UInt64(probe) &* step) { return false }
        return true
    }

    private func rotateIfDue(_ shard: inout Shard, nowMs: Int64) {
        guard nowMs - shard.current.startedAtMs >= retentionMs else { return }
        free(shard.previous.bits)
        shard.previous = shard.current
        shard.current = Generation(bits: nil, startedAtMs: nowMs)
    }

    private func hashes(_ account: String, _ key: String) -> (Int, UInt64, UInt64) {
        var hasher = Hasher()
        hasher.combine(account)
        hasher.combine(key)
        let value = UInt64(bitPattern: Int64(hasher.finalize()))
        // Double hashing: the two halves give every probe position; the step is odd so probes differ.
        let first = value &* 0x9E37_79B9_7F4A_7C15
        let step = (value >> 32 | value << 32) | 1
        return (Int(value % UInt64(Self.shardCount)), first, step)
    }

    private func test(_ bits: UnsafeMutablePointer<UInt64>, _ hash: UInt64) -> Bool {
        let bit = hash % UInt64(wordsPerShard * 64)
        return bits[Int(bit / 64)] & (1 << (bit % 64)) != 0
    }

    private func set(_ bits: UnsafeMutablePointer<UInt64>, _ hash: UInt64) {
        let bit = hash % UInt64(wordsPerShard * 64)
        bits[Int(bit / 64)] |= 1 << (bit % 64)
    }
}
