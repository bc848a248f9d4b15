import Synchronization
import TallyStore

/// The idempotency keys an account used most recently, kept in memory by its actor.
///
/// A key is in flight from the moment its request is applied in memory until its commit
/// returns; a repeat meanwhile is refused with 409 rather than applied twice. Memory holds a
/// bounded window: a committed key whose entry the ledger index holds may be dropped, and
/// `completeSinceMs` then says from when on every key is still here. A key missing from memory
/// and older than that is looked up on disk before the request runs.
struct IdempotencyKeyIndex {
    struct Entry {
        let fingerprint: [UInt8]
        let createdAtMs: Int64
        /// The commit of the request that used the key; nil for keys loaded from disk.
        let ticket: CommitTicket?
        /// The entry whose row stores the outcome, when the request appended one.
        let entryID: Int64?
        /// True while the key is being looked up on disk: a repeat then is in flight too.
        var probing = false

        /// Where the key's first request stands.
        var status: Status {
            if probing { return .inFlight }
            switch ticket?.result {
            case nil where ticket != nil: return .inFlight
            case .failure: return .failed
            default: return .committed
            }
        }

        /// What the entry costs in memory, roughly: the key, the digest and the table slots.
        func bytes(key: String) -> Int { key.utf8.count + fingerprint.count + 128 }
    }

    enum Status { case inFlight, committed, failed }

    /// The keys an account keeps whatever the shared budget says, so a burst of retries of the
    /// last few requests is answered from memory.
    static let floor = 16

    private var entries: [String: Entry] = [:]
    /// Keys in arrival order, so expiry and eviction drop from the front.
    private var arrivals: [(key: String, createdAtMs: Int64)] = []
    private var arrivalsHead = 0
    private var bytes = 0
    private let memory: IdempotencyKeyMemory
    /// Where a key goes when it leaves memory, so a later miss can tell it may be on disk.
    private let filter: IdempotencyKeyFilter
    private let account: String
    /// Every key created at or after this instant is in `entries` (or never was used).
    private(set) var completeSinceMs: Int64

    /// An index of the keys read at load, complete from `completeSinceMs` on, with the keys
    /// still in flight from before a reload carried over.
    init(
        account: String, loaded: [AccountSnapshot.StoredIdempotencyKey], completeSinceMs: Int64, memory: IdempotencyKeyMemory, filter: IdempotencyKeyFilter,
        carrying: [String: Entry] = [:]
    ) {
        self.account = account
        self.memory = memory
        self.filter = filter
        self.completeSinceMs = completeSinceMs
        for stored in loaded.sorted(by: { $0.createdAtMs < $1.createdAtMs }) { remember(stored) }
        for (key, entry) in carrying { add(key, entry) }
    }

    subscript(key: String) -> Entry? { entries[key] }

    /// How many keys are held.
    var count: Int { entries.count }

    /// The keys whose first request has not finished, to carry across a reload.
    var inFlight: [String: Entry] { entries.filter { $0.value.status == .inFlight } }

    /// Whether a key absent from memory may still have been used within retention.
    func mayHoldOnDiskOnly(sinceMs cutoff: Int64) -> Bool { completeSinceMs > cutoff }

    /// Records a new key whose request waits on `ticket`.
    mutating func begin(_ key: String, fingerprint: [UInt8], atMs: Int64, entryID: Int64?, ticket: CommitTicket) {
        add(key, Entry(fingerprint: fingerprint, createdAtMs: atMs, ticket: ticket, entryID: entryID))
    }

    /// Records a key found on disk.
    mutating func remember(_ stored: AccountSnapshot.StoredIdempotencyKey) {
        add(stored.key, Entry(fingerprint: stored.fingerprint, createdAtMs: stored.createdAtMs, ticket: nil, entryID: stored.entryID))
    }

    /// Marks a key as being looked up on disk with the request's fingerprint.
    mutating func beginProbe(_ key: String, fingerprint: [UInt8], atMs: Int64) {
        var entry = Entry(fingerprint: fingerprint, createdAtMs: atMs, ticket: nil, entryID: nil)
        entry.probing = true
        add(key, entry, arrives: false)
    }

    /// Ends a lookup that `beginProbe` marked.
    mutating func endProbe(_ key: String) {
        if entries[key]?.probing == true { remove(key) }
    }

    /// Forgets a key whose request failed to commit, so a retry runs afresh.
    mutating func forget(_ key: String) { remove(key) }

    /// Drops keys older than the retention window.
    mutating func expire(beforeMs cutoff: Int64) {
        while arrivalsHead < arrivals.count, arrivals[arrivalsHead].createdAtMs < cutoff {
            let key = arrivals[arrivalsHead].key
            if let entry = entries[key], entry.createdAtMs < cutoff, entry.status != .inFlight { remove(key) }
            arrivalsHead += 1
        }
        compactArrivals()
    }

    /// Drops the oldest committed keys while more than `perAccount` are held, or more than
    /// `floor` while all accounts together hold more than `totalBytes`.
    ///
    /// Only keys the disk can answer for go: those whose entry the ledger index holds (an entry
    /// id below `firstUnindexedID()`), or whose outcome has a row of its own.
    mutating func evict(perAccount: Int, floor: Int, totalBytes: Int, nowMs: Int64, firstUnindexedID: () -> Int64?) {
        var unindexedFrom: Int64??
        while arrivalsHead < arrivals.count,
            entries.count > perAccount || (entries.count > floor && memory.total > totalBytes)
        {
            let (key, createdAtMs) = arrivals[arrivalsHead]
            if let entry = entries[key], entry.createdAtMs == createdAtMs {
                guard entry.status == .committed else { break }
                if let entryID = entry.entryID {
                    if unindexedFrom == nil { unindexedFrom = .some(firstUnindexedID()) }
                    if let first = unindexedFrom!, entryID >= first { break }
                }
                remove(key)
                filter.insert(account: account, key: key, atMs: nowMs)
                completeSinceMs = max(completeSinceMs, createdAtMs + 1)
            }
            arrivalsHead += 1
        }
        compactArrivals()
    }

    /// Gives the memory of every key back to the shared budget and hands the keys to the filter
    /// (the account is being unloaded or reloaded).
    mutating func releaseAll(nowMs: Int64) {
        for key in entries.keys where entries[key]?.probing == false { filter.insert(account: account, key: key, atMs: nowMs) }
        memory.add(-bytes)
        bytes = 0
        entries = [:]
        arrivals = []
        arrivalsHead = 0
    }

    private mutating func add(_ key: String, _ entry: Entry, arrives: Bool = true) {
        if entries[key] != nil { remove(key) }
        entries[key] = entry
        let size = entry.bytes(key: key)
        bytes += size
        memory.add(size)
        if arrives { arrivals.append((key, entry.createdAtMs)) }
    }

    private mutating func remove(_ key: String) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        let size = entry.bytes(key: key)
        bytes -= size
        memory.add(-size)
    }

    /// Drops the records already passed once they are half the array: each holds its key, so
    /// with 10,000 accounts a fixed threshold (1,024 each) kept gigabytes of dead keys.
    private mutating func compactArrivals() {
        if arrivalsHead > 8, arrivalsHead * 2 > arrivals.count {
            arrivals.removeFirst(arrivalsHead)
            arrivalsHead = 0
        }
    }
}

/// The bytes all accounts' in-memory keys take together, against the configured budget, and
/// how many keys had to be looked up on disk.
final class IdempotencyKeyMemory: Sendable {
    private let bytes = Atomic<Int>(0)
    private let lookups = Atomic<Int>(0)

    /// Adds (or with a negative count, gives back) bytes.
    func add(_ count: Int) { bytes.add(count, ordering: .relaxed) }

    /// The bytes held now.
    var total: Int { bytes.load(ordering: .relaxed) }

    /// Counts one key looked up on disk.
    func countLookup() { lookups.add(1, ordering: .relaxed) }

    /// Keys looked up on disk so far.
    var diskLookups: Int { lookups.load(ordering: .relaxed) }
}
