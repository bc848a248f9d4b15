import Glibc
import Synchronization

/// A fixed-size Bloom filter of the idempotency keys that may be on disk but in no account's
/// memory, so that a fresh key, the usual case, is known to be fresh without a disk lookup.
///
/// Keys enter it when they leave an account's memory (evicted, or the account unloaded) and,
/// after a start, from disk. It never says "no" for such a key used since `completeSinceMs`; it
/// may say "maybe" for one never used, which only costs the lookup it would have cost anyway.
/// Its memory is fixed whatever the traffic: two generations, each kept for one retention
/// window, so a key stays findable for at least that long and old keys stop counting against
/// the false-positive rate. Each key's bits lie in one 64-byte block, so a check costs one cache
/// miss per generation.
final class IdempotencyKeyFilter: Sendable {
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
    private static let wordsPerBlock = 8
    private let blocksPerShard: Int
    private let retentionMs: Int64
    private let shards: [LockedShard]
    private let completeSince = Atomic<Int64>(.max)

    /// A filter of `bytes` in all (two generations), for keys kept `retentionMs`.
    init(bytes: Int, retentionMs: Int64, nowMs: Int64) {
        blocksPerShard = max(1, bytes / 2 / Self.shardCount / (Self.wordsPerBlock * 8))
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

    /// Adds a key.
    func insert(account: String, key: String, atMs: Int64) {
        let (shardIndex, hash) = hashes(account, key)
        shards[shardIndex].state.withLock { shard in
            rotateIfDue(&shard, nowMs: atMs)
            if shard.current.bits == nil {
                // calloc hands back untouched zero pages: an idle server does not pay for them.
                shard.current.bits = calloc(blocksPerShard * Self.wordsPerBlock, 8)?.assumingMemoryBound(to: UInt64.self)
            }
            guard let bits = shard.current.bits else { return }
            let block = bits + blockIndex(hash) * Self.wordsPerBlock
            for probe in 0..<Self.probes {
                let bit = Self.bitInBlock(hash, probe)
                block[bit / 64] |= 1 << UInt64(bit % 64)
            }
        }
    }

    /// Whether the key may be in the filter.
    func mayContain(account: String, key: String) -> Bool {
        let (shardIndex, hash) = hashes(account, key)
        return shards[shardIndex].state.withLock { shard in
            contains(shard.current.bits, hash) || contains(shard.previous.bits, hash)
        }
    }

    private func contains(_ bits: UnsafeMutablePointer<UInt64>?, _ hash: UInt64) -> Bool {
        guard let bits else { return false }
        let block = bits + blockIndex(hash) * Self.wordsPerBlock
        for probe in 0..<Self.probes {
            let bit = Self.bitInBlock(hash, probe)
            if block[bit / 64] & (1 << UInt64(bit % 64)) == 0 { return false }
        }
        return true
    }

    /// The block of a hash: its upper half, so it is independent of the shard and the bits.
    private func blockIndex(_ hash: UInt64) -> Int { Int((hash >> 32) % UInt64(blocksPerShard)) }

    /// The position in its 512-bit block of a hash's `probe`th bit: 9 bits each, after the
    /// 4 that chose the shard.
    private static func bitInBlock(_ hash: UInt64, _ probe: Int) -> Int { Int((hash >> (4 + 9 * UInt64(probe))) & 511) }

    private func rotateIfDue(_ shard: inout Shard, nowMs: Int64) {
        guard nowMs - shard.current.startedAtMs >= retentionMs else { return }
        free(shard.previous.bits)
        shard.previous = shard.current
        shard.current = Generation(bits: nil, startedAtMs: nowMs)
    }

    private func hashes(_ account: String, _ key: String) -> (Int, UInt64) {
        var hasher = Hasher()
        hasher.combine(account)
        hasher.combine(key)
        let value = UInt64(bitPattern: Int64(hasher.finalize()))
        return (Int(value % UInt64(Self.shardCount)), value)
    }
}
