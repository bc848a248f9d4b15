import CTallySQLite
import Foundation
import TallySystem

/// The single writer: a dedicated thread that drains queued mutations into one transaction per
/// batch, commits with the configured durability, then completes every mutation in the batch.
///
/// Completions run only after COMMIT returned, so a caller is never told "done" before its
/// change is durable. When a commit fails, every mutation of that batch fails, and the writer
/// refuses further mutations of the same accounts until one arrives marked `resumesAccount`:
/// the engine reloads those accounts from disk first, so memory never builds on a lost write.
final class GroupCommitWriter: @unchecked Sendable {
    // `queue` and `statistics` are guarded by the worker's condition, which the thread sleeps on;
    // `connection` and `refusedAccounts` are touched only by the writer thread.
    private let worker = WorkerThread()
    private var condition: NSCondition { worker.condition }
    private var queue: [StoreMutation] = []
    /// When the oldest mutation still queued or being committed arrived.
    private var oldestWaitingSince: UInt64?
    private var statistics = WriterStatistics()
    private let connection: Connection
    private var refusedAccounts: Set<String> = []
    private let maxBatch: Int
    private let queueLimit: Int
    private let maxQueueDelayNanoseconds: UInt64
    /// Where committed entries wait for the indexer; nil writes no batch records (tests of the
    /// writer alone).
    private let tail: LedgerTail?
    /// Entries waiting for the indexer beyond which new work is refused, like a full queue.
    private let tailLimit: Int
    /// What the queueing bound is measured on (``StoreConfiguration/queueClockNs``).
    private let queueClockNs: @Sendable () -> UInt64
    /// The number the next commit that appends entries records; touched only by the writer thread.
    private var nextBatchNumber: Int64

    init(
        connection: Connection, maxBatch: Int, queueLimit: Int, maxQueueDelayNanoseconds: UInt64,
        queueClockNs: @escaping @Sendable () -> UInt64 = { MonotonicClock.nowNs() }, tail: LedgerTail? = nil,
        tailLimit: Int = .max, firstBatch: Int64 = 1
    ) {
        self.connection = connection
        self.queueClockNs = queueClockNs
        self.maxBatch = maxBatch
        self.queueLimit = queueLimit
        self.maxQueueDelayNanoseconds = maxQueueDelayNanoseconds
        self.tail = tail
        self.tailLimit = tailLimit
        self.nextBatchNumber = firstBatch
    }

    /// Starts the writer thread.
    func start() {
        worker.start(name: "tally-writer", qualityOfService: .userInitiated) { [self] in
            while let batch = nextBatch() { commit(batch) }
        }
    }

    /// Whether new work should be taken: the queue has room and its oldest mutation has not
    /// waited past the delay bound. Callers check before changing memory, so refusing work
    /// (back-pressure) undoes nothing.
    var hasCapacity: Bool {
        // An indexer far behind would let the tail, which readers search, grow without bound.
        if let tail, tail.count >= tailLimit { return false }
        condition.lock()
        defer { condition.unlock() }
        guard queue.count < queueLimit, !worker.isStopping else { return false }
        guard let since = oldestWaitingSince else { return true }
        return queueClockNs() &- since < maxQueueDelayNanoseconds
    }

    /// Queues a mutation; its completion runs on the writer thread after the commit.
    func submit(_ mutation: StoreMutation) {
        condition.lock()
        guard !worker.isStopping else {
            condition.unlock()
            mutation.completion(.failure(.closed))
            return
        }
        queue.append(mutation)
        if queue.count == 1 {
            if oldestWaitingSince == nil { oldestWaitingSince = queueClockNs() }
            condition.signal()
        }
        condition.unlock()
    }

    /// A snapshot of the writer's counters.
    var currentStatistics: WriterStatistics {
        condition.lock()
        defer { condition.unlock() }
        var snapshot = statistics
        snapshot.queueDepth = queue.count
        return snapshot
    }

    /// Commits what is queued, then stops the thread; later submissions fail with `closed`.
    func stop() { worker.stop() }

    private func nextBatch() -> [StoreMutation]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !worker.isStopping { condition.wait() }
        if queue.isEmpty { return nil }
        if queue.count <= maxBatch {
            var batch: [StoreMutation] = []
            batch.reserveCapacity(queue.count)
            swap(&batch, &queue)
            return batch
        }
        let batch = Array(queue.prefix(maxBatch))
        queue.removeFirst(maxBatch)
        return batch
    }

    private func commit(_ batch: [StoreMutation]) {
        var accepted: [StoreMutation] = []
        accepted.reserveCapacity(batch.count)
        var refused: [StoreMutation] = []
        for mutation in batch {
            if mutation.resumesAccount { refusedAccounts.remove(mutation.account) }
            if refusedAccounts.contains(mutation.account) {
                refused.append(mutation)
            } else {
                accepted.append(mutation)
            }
        }
        // Refusals are answered once the batch is recorded, as commits are, so a caller that hears
        // one finds the writer's queue bookkeeping already settled.
        defer { for mutation in refused { mutation.completion(.failure(.accountReloading)) } }
        guard !accepted.isEmpty else {
            record(batchSize: 0, commitNanoseconds: 0, failed: false)
            return
        }
        let started = MonotonicClock.nowNs()
        let appended = tail == nil ? [] : Self.appendedEntries(accepted)
        let batchRecord = appended.isEmpty ? nil : CommitBatch(
            number: nextBatchNumber, firstEntryID: appended.lazy.map(\.id).min() ?? 0,
            pruneThrough: nextBatchNumber % 1_024 == 0 ? tail?.indexedThroughBatch : nil)
        let outcome = write(accepted, batch: batchRecord)
        let elapsed = MonotonicClock.nowNs() - started
        switch outcome {
        case .success:
            // Before any completion: a caller that hears "done" finds its entry in the tail or
            // the index.
            if let batchRecord, let tail {
                tail.append(batch: batchRecord.number, appended, committedAtNs: MonotonicClock.nowNs())
                nextBatchNumber += 1
            }
        case .failure(let error):
            for mutation in accepted { refusedAccounts.insert(mutation.account) }
            if Self.mayHaveWrittenACommit(error) { fenceFailedCommit() }
        }
        record(batchSize: accepted.count, commitNanoseconds: elapsed, failed: outcome.isFailure)
        for mutation in accepted { mutation.completion(outcome) }
    }

    /// Whether a failed commit may have left a complete commit frame in the WAL.
    ///
    /// A full disk fails the frame writes themselves (or the page-count limit refuses them before
    /// any write), so no commit marker reached the file and there is nothing to fence; fencing then
    /// would wait, with the writer and every caller of the batch, for as long as the disk stays
    /// full. Every other failure, a failed fsync above all, may have left one.
    private static func mayHaveWrittenACommit(_ error: StoreError) -> Bool {
        error.code & 0xFF != SQLITE_FULL
    }

    /// Makes the frames of a failed commit unrecoverable before anyone hears of the failure.
    ///
    /// A commit whose WAL fsync failed leaves its frames in the file (or in the page cache, on
    /// their way to it) with a valid commit marker. The wal-index never learns of them, so this
    /// process never reads them, but WAL recovery after a crash would, and would apply what was
    /// answered as failed. A one-page transaction writes its frame where the failed commit's
    /// first frame is (or starts the WAL over with a new salt); once it is synced, the checksum
    /// chain ends there and the failed frames can never be recovered. It is retried until it
    /// commits: answering before that would make a promise the disk could still break, so while
    /// the disk keeps failing, waiting requests wait and new ones are shed.
    private func fenceFailedCommit() {
        var delayMicroseconds: UInt32 = 1_000
        while true {
            do throws(StoreError) {
                try connection.transaction { () throws(StoreError) in
                    let version = Int(try connection.pragma("user_version") ?? "") ?? 0
                    try connection.pragma("user_version = \((version + 1) & 0x3FFF_FFFF)")
                }
                return
            } catch {
                // A transaction left open (a ROLLBACK that failed too) would fail every BEGIN.
                try? connection.execute("ROLLBACK")
                usleep(delayMicroseconds)
                delayMicroseconds = min(delayMicroseconds * 2, 100_000)
            }
        }
    }

    private static func appendedEntries(_ batch: [StoreMutation]) -> [LedgerTail.Entry] {
        var entries: [LedgerTail.Entry] = []
        for mutation in batch {
            for case .appendEntry(let row) in mutation.changes {
                entries.append(LedgerTail.Entry(account: row.account, seq: row.seq, id: row.id, key: row.stamp?.key, atMs: row.atMs))
            }
        }
        return entries
    }

    private func write(_ mutations: [StoreMutation], batch record: CommitBatch?) -> Result<Void, StoreError> {
        do {
            try RowWriter(connection: connection).transaction(mutations.lazy.map(\.changes), batch: record)
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    private func record(batchSize: Int, commitNanoseconds: UInt64, failed: Bool) {
        condition.lock()
        // The next batch's mutations have waited since this one started at the latest.
        let now = queueClockNs()
        oldestWaitingSince = queue.isEmpty ? nil : now - min(now, commitNanoseconds)
        if batchSize > 0 {
            statistics.record(batchSize: batchSize, commitNanoseconds: commitNanoseconds, failed: failed)
        }
        condition.unlock()
    }
}

extension Result {
    fileprivate var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }
}

/// Counters describing the writer's batches, for metrics and the benchmark.
public struct WriterStatistics: Sendable {
    public var batches: Int = 0
    public var mutations: Int = 0
    public var failedBatches: Int = 0
    public var largestBatch: Int = 0
    public var totalCommitNanoseconds: UInt64 = 0
    public var maxCommitNanoseconds: UInt64 = 0
    public var queueDepth: Int = 0
    /// Upper bounds of the batch-size histogram buckets.
    public static let batchSizeBounds: [Int] = [1, 4, 16, 64, 256, 1_024, 4_096, 8_192]
    /// Upper bounds (seconds) of the commit-time histogram buckets.
    public static let commitSecondsBounds: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25]
    /// Batches per batch-size bucket (not cumulative); the last counts the rest.
    public var batchSizeBuckets = [Int](repeating: 0, count: batchSizeBounds.count + 1)
    /// Batches per commit-time bucket (not cumulative); the last counts the rest.
    public var commitSecondsBuckets = [Int](repeating: 0, count: commitSecondsBounds.count + 1)

    mutating func record(batchSize: Int, commitNanoseconds: UInt64, failed: Bool) {
        batchSizeBuckets[Self.batchSizeBounds.firstIndex { batchSize <= $0 } ?? Self.batchSizeBounds.count] += 1
        let seconds = Double(commitNanoseconds) / 1e9
        commitSecondsBuckets[Self.commitSecondsBounds.firstIndex { seconds <= $0 } ?? Self.commitSecondsBounds.count] += 1
        batches += 1
        mutations += batchSize
        if failed { failedBatches += 1 }
        largestBatch = max(largestBatch, batchSize)
        totalCommitNanoseconds += commitNanoseconds
        maxCommitNanoseconds = max(maxCommitNanoseconds, commitNanoseconds)
    }
}
