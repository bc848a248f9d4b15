import Synchronization

/// The ledger entries that are committed but not yet in the ledger index, in commit order.
///
/// The writer adds a batch's entries after its COMMIT returns and before any caller hears of
/// it; the indexer removes them only after the index rows are committed. So every committed
/// entry is, at every instant, in this tail or in the index (or both for a moment), and a reader
/// that looks at the tail first and the index second misses none of them: that is what lets the
/// index be built off the commit path without a reader ever lagging behind an answer.
final class LedgerTail: Sendable {
    /// What the index needs of one entry.
    struct Entry: Sendable, Hashable {
        let account: String
        let seq: Int64
        let id: Int64
        /// The idempotency key of the request that appended it, if any.
        let key: String?
        let atMs: Int64

        /// Creates a tail entry.
        init(account: String, seq: Int64, id: Int64, key: String?, atMs: Int64) {
            self.account = account
            self.seq = seq
            self.id = id
            self.key = key
            self.atMs = atMs
        }
    }

    private struct Batch {
        let number: Int64
        let entries: [Entry]
        let committedAtNs: UInt64
    }

    private struct State {
        var batches: [Batch] = []
        var head = 0
        /// Each account's unindexed entries in sequence order: an account's mutations commit in
        /// the order its actor submitted them, so these are always the newest of its ledger.
        var byAccount: [String: [Entry]] = [:]
        var count = 0
        var indexedThroughBatch: Int64
    }

    private let state: Mutex<State>
    /// `State.count`, readable without the lock: the hot path checks it on every request.
    private let entryCount = Atomic<Int>(0)

    /// Creates an empty tail over an index that holds every batch up to `indexedThroughBatch`.
    init(indexedThroughBatch: Int64 = 0) {
        state = Mutex(State(indexedThroughBatch: indexedThroughBatch))
    }

    /// How many entries wait for the indexer.
    var count: Int { entryCount.load(ordering: .relaxed) }

    /// The last batch whose entries are all in the index.
    var indexedThroughBatch: Int64 { state.withLock { $0.indexedThroughBatch } }

    /// Adds a committed batch's entries; `number` grows with every batch.
    func append(batch number: Int64, _ entries: [Entry], committedAtNs: UInt64) {
        guard !entries.isEmpty else { return }
        state.withLock { state in
            precondition(state.batches.last.map { $0.number < number } ?? true, "batches arrive in commit order")
            state.batches.append(Batch(number: number, entries: entries, committedAtNs: committedAtNs))
            for entry in entries { state.byAccount[entry.account, default: []].append(entry) }
            state.count += entries.count
            entryCount.store(state.count, ordering: .relaxed)
        }
    }

    /// The account's unindexed entries, oldest first.
    func entries(account: String) -> [Entry] {
        state.withLock { $0.byAccount[account] ?? [] }
    }

    /// The id of the account's oldest unindexed entry; every committed entry of the account
    /// with a smaller id is in the index. Nil when all of them are.
    func firstUnindexedID(account: String) -> Int64? {
        state.withLock { $0.byAccount[account]?.first?.id }
    }

    /// The oldest whole batches committed at or before `committedByNs`, holding up to about
    /// `limit` entries, and the last batch's number.
    func pending(limit: Int, committedByNs: UInt64) -> (throughBatch: Int64, entries: [Entry])? {
        state.withLock { state in
            var entries: [Entry] = []
            var through: Int64 = 0
            for batch in state.batches[state.head...] {
                if batch.committedAtNs > committedByNs { break }
                if !entries.isEmpty && entries.count + batch.entries.count > limit { break }
                entries += batch.entries
                through = batch.number
            }
            return entries.isEmpty ? nil : (through, entries)
        }
    }

    /// Forgets the batches up to `number`, whose entries are now in the index.
    func drop(throughBatch number: Int64) {
        state.withLock { state in
            // Counted over all the batches first: a hot account's array is then shifted once per
            // drop, not once per batch (thousands of times, under the lock the writer needs).
            var dropped: [String: Int] = [:]
            while state.head < state.batches.count, state.batches[state.head].number <= number {
                for entry in state.batches[state.head].entries { dropped[entry.account, default: 0] += 1 }
                state.count -= state.batches[state.head].entries.count
                state.head += 1
            }
            for (account, count) in dropped where state.byAccount[account] != nil {
                // In place: copying a hot account's array out and back would double the work.
                state.byAccount[account]!.removeFirst(min(count, state.byAccount[account]!.count))
                if state.byAccount[account]!.isEmpty { state.byAccount[account] = nil }
            }
            entryCount.store(state.count, ordering: .relaxed)
            state.indexedThroughBatch = max(state.indexedThroughBatch, number)
            // Compacts now and then rather than shifting the array on every drop.
            if state.head > 64, state.head * 2 > state.batches.count {
                state.batches.removeFirst(state.head)
                state.head = 0
            }
        }
    }
}
