import Foundation
import TallySystem

/// The thread that moves committed entries from the ledger tail into the ledger index.
///
/// It writes whole batches of entries at a time, sorted so that neighbouring rows land on the
/// same pages, in its own file with `synchronous = NORMAL`: the index is derived from the
/// ledger, so what a crash loses of it is written again from the ledger at the next start.
final class LedgerIndexer: @unchecked Sendable {
    // `connection` is touched by the thread that opened it until `start(draining:)`, then only
    // by the indexer thread.
    private let connection: Connection
    private let maxEntriesPerTransaction: Int
    private let delayNanoseconds: UInt64
    private let idleSleepMicroseconds: UInt32
    private let worker = WorkerThread()

    /// Opens (creating if needed) the index file of the ledger at `ledgerPath`.
    init(ledgerPath: String, cacheKiB: Int, delayMs: Int, maxEntriesPerTransaction: Int = 65_536, idleSleepMs: Int = 5)
        throws(StoreError)
    {
        connection = try Connection(path: LedgerIndex.path(forLedger: ledgerPath))
        // Every key lands at a random place in key_index, so each insert rewrites a whole page
        // into the WAL: 1 KiB pages write a quarter of the bytes 4 KiB ones do. It takes effect
        // only for a new file (before WAL mode and the first table).
        try connection.pragma("page_size = 1024")
        guard try connection.pragma("journal_mode = WAL")?.lowercased() == "wal" else {
            throw StoreError(.unusableFile, code: 0, message: "the ledger index could not switch to WAL mode")
        }
        try connection.pragma("synchronous = NORMAL")
        try connection.pragma("cache_size = -\(cacheKiB)")
        try connection.pragma("journal_size_limit = 268435456")
        // Checkpoints run on this thread, between its transactions; fewer, larger ones copy each
        // hot page once instead of again and again.
        try connection.pragma("wal_autocheckpoint = 16384")
        try connection.execute(LedgerIndex.schema)
        self.maxEntriesPerTransaction = maxEntriesPerTransaction
        self.delayNanoseconds = UInt64(delayMs) * 1_000_000
        self.idleSleepMicroseconds = UInt32(idleSleepMs * 1_000)
    }

    /// Brings the index level with the ledger before anything is served, and returns the
    /// ledger's last batch number: entries a crash left unindexed are indexed now, and an index
    /// that belongs to another ledger, or that is ahead of this one (the ledger was restored from
    /// a backup), is rebuilt from all entries.
    func catchUp(ledger: Connection) throws(StoreError) -> Int64 {
        let identity = try ledger.cached("SELECT value FROM ledger_identity WHERE id = 1").rows { $0.text(0) }.first ?? ""
        let lastBatch = try ledger.cached("SELECT coalesce(max(id), 0) FROM commit_batches").rows { $0.int(0) }.first ?? 0
        let state = try connection.cached("SELECT ledger, through_batch FROM index_state WHERE id = 1")
            .rows { ($0.text(0), $0.int(1)) }.first
        var firstID: Int64? = 0
        if let state, state.0 == identity, state.1 <= lastBatch {
            firstID = try LedgerIndex.firstUnindexedID(ledger, throughBatch: state.1)
        } else {
            try connection.transaction { () throws(StoreError) in
                try connection.execute("DELETE FROM ledger_index; DELETE FROM key_index; DELETE FROM index_state")
                try connection.cached("INSERT INTO index_state (id, ledger, through_batch) VALUES (1, ?, -1)").run(identity)
            }
        }
        while let first = firstID {
            let chunk = try ledger.cached(LedgerIndex.tailColumns + " WHERE id >= ? ORDER BY id LIMIT ?")
                .rows([first, maxEntriesPerTransaction], LedgerIndex.tailEntry)
            try write(chunk, throughBatch: nil)
            firstID = chunk.count < maxEntriesPerTransaction ? nil : chunk[chunk.count - 1].id + 1
        }
        try connection.cached("UPDATE index_state SET through_batch = ?").run(lastBatch)
        return lastBatch
    }

    /// Starts the indexer thread, which moves `tail`'s entries into the index.
    func start(draining tail: LedgerTail) {
        worker.start(name: "tally-indexer") { [self] in run(tail) }
    }

    /// Indexes what is left in the tail, then stops the thread.
    func stop() { worker.stop() }

    private func run(_ tail: LedgerTail) {
        while true {
            let draining = worker.isStopping
            let now = MonotonicClock.nowNs()
            // Stopping indexes everything; otherwise batches wait out the configured delay.
            let committedBy = draining ? UInt64.max : now - min(now, delayNanoseconds)
            if let (through, entries) = tail.pending(limit: maxEntriesPerTransaction, committedByNs: committedBy) {
                do throws(StoreError) {
                    try write(entries, throughBatch: through)
                    tail.drop(throughBatch: through)
                } catch {
                    // The entries stay in the tail, so readers still see them; the writer sheds
                    // load once the tail is full. Retrying is safe: index rows are replaced.
                    FileHandle.standardError.write(Data("tally: ledger index write failed: \(error)\n".utf8))
                    // Stopping on a full or failing disk would retry forever; the index is derived,
                    // and the next start catches it up from the ledger.
                    if draining { break }
                    usleep(100_000)
                }
            } else if draining {
                break
            } else {
                usleep(idleSleepMicroseconds)
            }
        }
    }

    /// Writes index rows for `entries` in one transaction, sorted for page locality.
    private func write(_ entries: [LedgerTail.Entry], throughBatch: Int64?) throws(StoreError) {
        try connection.transaction { () throws(StoreError) in
            let insertEntry = try connection.cached(
                "INSERT OR REPLACE INTO ledger_index (account_id, seq, entry_id) VALUES (?, ?, ?)")
            for entry in entries.sorted(by: { ($0.account, $0.seq) < ($1.account, $1.seq) }) {
                try insertEntry.run(entry.account, entry.seq, entry.id)
            }
            // A key reused after its retention points at its newest entry: ids break the tie.
            let keyed = entries.compactMap { entry in entry.key.map { (entry, $0) } }
                .sorted { ($0.0.account, $0.1, $0.0.id) < ($1.0.account, $1.1, $1.0.id) }
            let insertKey = try connection.cached(
                "INSERT OR REPLACE INTO key_index (account_id, key, entry_id, at_ms) VALUES (?, ?, ?, ?)")
            for (entry, key) in keyed { try insertKey.run(entry.account, key, entry.id, entry.atMs) }
            if let throughBatch {
                try connection.cached("UPDATE index_state SET through_batch = ?").run(throughBatch)
            }
        }
    }
}
