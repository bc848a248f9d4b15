import CTallySQLite
import Foundation
import TallySystem

/// How durable a commit is before it is acknowledged.
public enum Durability: String, Sendable, CaseIterable {
    /// The WAL is fsync'd on every commit: survives power loss.
    case full
    /// The WAL is synced only at checkpoints: survives a process crash, not an OS crash.
    case normal
}

/// The settings of the SQLite store.
public struct StoreConfiguration: Sendable {
    public var path: String
    public var durability: Durability
    public var readerCount: Int
    /// The writer's page cache. Bigger is not better here: SQLite walks the whole cache's hash
    /// table on every write transaction, and 128 MiB cost 13 % more CPU per request than 8 MiB
    /// under wrk (pages it misses come from the OS page cache). See BENCHMARKS.md.
    public var writerCacheKiB: Int
    public var readerCacheKiB: Int
    /// Bytes of the file to memory-map for reads (0 disables; an I/O error on a mapped page
    /// becomes a signal instead of an error code).
    public var mmapBytes: Int
    public var maxBatch: Int
    /// Queued mutations beyond which the engine sheds load.
    public var queueLimit: Int
    public var checkpointIntervalMs: Int
    /// How long the oldest queued mutation may wait before new work is refused (load shedding).
    public var maxQueueDelayMs: Int
    /// Caps the database's size in pages (nil: no cap); reaching it fails commits like a full
    /// disk, which is also how the tests exercise that path.
    public var maxPageCount: Int?
    /// Committed entries waiting for the indexer beyond which new work is refused (503): the
    /// tail they wait in is held in memory and searched by readers.
    public var indexTailLimit: Int
    /// The indexer's page cache.
    public var indexCacheKiB: Int
    /// How long committed entries wait before the indexer takes them: a longer wait gives each
    /// index transaction more entries per account (fewer pages per entry) and a larger tail.
    /// Over HTTP with 10,000 accounts, 5–10 s cost about a fifth less CPU per request than 1 s
    /// (BENCHMARKS.md).
    public var indexDelayMs: Int
    /// The clock the queueing bound is measured on: the monotonic clock, or a test's own, so that
    /// no test has to wait out the bound in real time.
    public var queueClockNs: @Sendable () -> UInt64 = { MonotonicClock.nowNs() }

    /// Creates a configuration with the defaults the benchmarks were run with.
    public init(
        path: String, durability: Durability = .full, readerCount: Int = 2,
        writerCacheKiB: Int = 8_192, readerCacheKiB: Int = 16_384, mmapBytes: Int = 0,
        maxBatch: Int = 8_192, queueLimit: Int = 65_536, checkpointIntervalMs: Int = 100,
        maxQueueDelayMs: Int = 50, maxPageCount: Int? = nil, indexTailLimit: Int = 524_288,
        indexCacheKiB: Int = 16_384, indexDelayMs: Int = 5_000
    ) {
        self.path = path
        self.durability = durability
        self.readerCount = readerCount
        self.writerCacheKiB = writerCacheKiB
        self.readerCacheKiB = readerCacheKiB
        self.mmapBytes = mmapBytes
        self.maxBatch = maxBatch
        self.queueLimit = queueLimit
        self.checkpointIntervalMs = checkpointIntervalMs
        self.maxQueueDelayMs = maxQueueDelayMs
        self.maxPageCount = maxPageCount
        self.indexTailLimit = indexTailLimit
        self.indexCacheKiB = indexCacheKiB
        self.indexDelayMs = indexDelayMs
    }
}

/// One open database: the single group-commit writer, a pool of readers and the checkpointer.
///
/// Open one per database file per process and pass it down.
public final class Store: Sendable {
    // Sealed: callers reach the writer and the readers only through the typed methods of
    // Store+Writes and Store+Reads, so no SQL runs outside this module.
    let writer: GroupCommitWriter
    let readers: ReaderPool
    private let checkpointer: Checkpointer
    private let indexer: LedgerIndexer
    /// Committed entries the ledger index does not hold yet.
    let tail: LedgerTail
    public let configuration: StoreConfiguration

    /// Opens the database, migrates it to the latest schema and starts the threads.
    public init(configuration: StoreConfiguration, nowMs: Int64) throws(StoreError) {
        self.configuration = configuration
        let writerConnection = try Store.open(configuration, cacheKiB: configuration.writerCacheKiB)
        try Migrations.migrate(writerConnection, nowMs: nowMs)
        // The checkpointer thread does this work; see Checkpointer.
        try writerConnection.pragma("wal_autocheckpoint = 0")
        indexer = try LedgerIndexer(
            ledgerPath: configuration.path, cacheKiB: configuration.indexCacheKiB, delayMs: configuration.indexDelayMs)
        let lastBatch = try indexer.catchUp(ledger: writerConnection)
        tail = LedgerTail(indexedThroughBatch: lastBatch)
        var readerConnections: [Connection] = []
        for _ in 0..<max(1, configuration.readerCount) {
            let reader = try Store.open(configuration, cacheKiB: configuration.readerCacheKiB)
            try reader.attachIndexIfNeeded()
            reader.tail = tail
            readerConnections.append(reader)
        }
        let checkpointConnection = try Store.open(configuration, cacheKiB: 2_048)
        writer = GroupCommitWriter(
            connection: writerConnection, maxBatch: configuration.maxBatch,
            queueLimit: configuration.queueLimit,
            maxQueueDelayNanoseconds: UInt64(configuration.maxQueueDelayMs) * 1_000_000, queueClockNs: configuration.queueClockNs,
            tail: tail, tailLimit: configuration.indexTailLimit, firstBatch: lastBatch + 1)
        readers = ReaderPool(connections: readerConnections)
        checkpointer = Checkpointer(
            connection: checkpointConnection, intervalMs: configuration.checkpointIntervalMs, path: configuration.path)
        writer.start()
        indexer.start(draining: tail)
        checkpointer.start()
    }

    /// Commits what is queued, indexes it, stops every thread and checkpoints the WAL into the file.
    public func close() {
        writer.stop()
        indexer.stop()
        readers.stop()
        checkpointer.stop()
    }

    /// Opens a connection with every pragma set explicitly.
    static func open(_ configuration: StoreConfiguration, cacheKiB: Int) throws(StoreError) -> Connection {
        let connection = try Connection(path: configuration.path)
        let mode = try connection.pragma("journal_mode = WAL")
        guard mode?.lowercased() == "wal" else {
            throw StoreError(.unusableFile, code: 0, message: "the database could not switch to WAL mode")
        }
        // FULL fsyncs the WAL at every commit; NORMAL only at checkpoints (may lose the last
        // commits on power loss, never on a process crash).
        try connection.pragma("synchronous = \(configuration.durability == .full ? "FULL" : "NORMAL")")
        try connection.pragma("cache_size = -\(cacheKiB)")
        try connection.pragma("mmap_size = \(configuration.mmapBytes)")
        try connection.pragma("foreign_keys = ON")
        if let pages = configuration.maxPageCount { try connection.pragma("max_page_count = \(pages)") }
        try connection.pragma("temp_store = MEMORY")
        // Keeps the WAL file's size after a checkpoint resets it, up to 1 GiB: truncating it
        // made every later commit extend the file again, and the kernel zeroing those fresh
        // pages cost 18 % of the raw benchmark's CPU (perf, BENCHMARKS.md).
        try connection.pragma("journal_size_limit = 1073741824")
        return connection
    }
}

extension Store {
    /// Writes a consistent copy of the database at `path` to `target`, while servers keep using it.
    ///
    /// `VACUUM INTO` reads one snapshot of the source (WAL readers never block the writer) and
    /// writes a compact, self-contained file; an existing `target` is refused, never overwritten.
    public static func backup(path: String, to target: String) throws(StoreError) {
        guard !FileManager.default.fileExists(atPath: target) else {
            throw StoreError(.unusableFile, code: SQLITE_CANTOPEN, message: "\(target) already exists")
        }
        // Bound to a name: a statement holds its connection unowned, so the connection must
        // outlive the statement's run.
        let connection = try openExisting(path: path, readOnly: true)
        try connection.cached("VACUUM INTO ?").run(target)
    }

    /// Opens a connection for an offline tool; a missing file is an error, never created.
    static func openExisting(path: String, readOnly: Bool) throws(StoreError) -> Connection {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.unusableFile, code: SQLITE_CANTOPEN, message: "no database at \(path)")
        }
        return try Connection(path: path, readOnly: readOnly)
    }
}
