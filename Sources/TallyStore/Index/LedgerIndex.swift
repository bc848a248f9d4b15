import Foundation

/// The ledger's per-account and per-key lookups, kept in a file of their own beside the ledger.
///
/// A debit appends its entry and nothing else: inserting into an `(account, seq)` or
/// `(account, key)` B-tree at a random place rewrites a whole page into the WAL for every
/// request, which measured as most of a durable debit's cost. The indexer thread builds these
/// lookups from the committed entries instead, in sorted batches, on its own connection and in
/// its own file, so it never holds the ledger's write lock. Everything here is derived: a
/// missing, foreign or newer-than-the-ledger index file is rebuilt from the entries at start.
enum LedgerIndex {
    /// The schema name the index is attached under on ledger connections.
    static let alias = "idx"
    /// Where a read-only connection keeps an empty index when the ledger has no index file
    /// (a backup, say): every entry then counts as unindexed.
    static let emptyAlias = "temp"

    /// The index file of the ledger at `path`.
    static func path(forLedger path: String) -> String { path + "-index" }

    static let schema = """
        CREATE TABLE IF NOT EXISTS ledger_index (
            account_id TEXT NOT NULL, seq INTEGER NOT NULL, entry_id INTEGER NOT NULL,
            PRIMARY KEY (account_id, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS key_index (
            account_id TEXT NOT NULL, key TEXT NOT NULL, entry_id INTEGER NOT NULL, at_ms INTEGER NOT NULL,
            PRIMARY KEY (account_id, key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS index_state (
            id INTEGER PRIMARY KEY CHECK (id = 1), ledger TEXT NOT NULL, through_batch INTEGER NOT NULL);
        """

    /// The first id of the entries that may be missing from an index that holds every batch up
    /// to `throughBatch` (nil: none is missing); reads the ledger connection's `commit_batches`.
    static func firstUnindexedID(_ ledger: Connection, throughBatch: Int64?) throws(StoreError) -> Int64? {
        guard let throughBatch else { return 0 }
        return try ledger.cached("SELECT min(first_entry_id) FROM commit_batches WHERE id > ?")
            .rows([throughBatch]) { $0.optionalInt(0) }.first ?? nil
    }

    /// The account's committed entries from id `firstID` on, in id order.
    static func entries(_ ledger: Connection, from firstID: Int64, account: String) throws(StoreError) -> [LedgerTail.Entry] {
        try ledger.cached(tailColumns + " WHERE id >= ? AND account_id = ? ORDER BY id").rows([firstID, account], tailEntry)
    }

    static let tailColumns = "SELECT id, account_id, seq, idempotency_key, at_ms FROM entries"

    static func tailEntry(_ row: Statement) -> LedgerTail.Entry {
        LedgerTail.Entry(account: row.text(1), seq: row.int(2), id: row.int(0), key: row.optionalText(3), atMs: row.int(4))
    }
}

extension Connection {
    /// Attaches the ledger's index file (an empty in-memory one when there is none yet to read),
    /// once per connection.
    func attachIndexIfNeeded() throws(StoreError) {
        guard !indexAttached else { return }
        let file = LedgerIndex.path(forLedger: path)
        if readOnly && !FileManager.default.fileExists(atPath: file) {
            // Attached databases share the connection's read-only flag; its temp schema does not.
            try execute(LedgerIndex.schema.replacingOccurrences(of: "EXISTS ", with: "EXISTS \(LedgerIndex.emptyAlias)."))
            indexSchema = LedgerIndex.emptyAlias
        } else {
            try cached("ATTACH DATABASE ? AS \(LedgerIndex.alias)").run(file)
            if !readOnly {
                try execute(LedgerIndex.schema.replacingOccurrences(of: "EXISTS ", with: "EXISTS \(LedgerIndex.alias)."))
            }
        }
        indexAttached = true
    }

    /// The last batch the attached index holds; nil when it holds nothing yet.
    func indexedThroughBatch() throws(StoreError) -> Int64? {
        try attachIndexIfNeeded()
        return try cached("SELECT through_batch FROM \(indexSchema).index_state WHERE id = 1")
            .rows { $0.int(0) }.first
    }

    /// The account's committed entries that the index does not hold yet, oldest first.
    ///
    /// Read before the index itself (see ``LedgerTail``): from the live tail on the store's own
    /// readers, else worked out from the ledger (tools and tests opening the file directly).
    func unindexedEntries(account: String) throws(StoreError) -> [LedgerTail.Entry] {
        if let tail { return tail.entries(account: account) }
        guard let first = try LedgerIndex.firstUnindexedID(self, throughBatch: try indexedThroughBatch()) else { return [] }
        return try LedgerIndex.entries(self, from: first, account: account)
    }
}
