import CTallySQLite
import Glibc

/// SQLite's "copy this buffer now" destructor, which the C header defines as a cast macro Swift
/// cannot import.
let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection with its prepared-statement cache.
///
/// Not thread-safe: each connection belongs to exactly one thread (the writer, a reader or the
/// checkpointer), which is what makes the `@unchecked Sendable` hand-over at creation safe.
final class Connection: @unchecked Sendable {
    let handle: OpaquePointer
    let path: String
    let readOnly: Bool
    private var statements: [String: Statement] = [:]
    /// Whether the ledger index file is attached (see ``LedgerIndex``).
    var indexAttached = false
    /// The schema the ledger index is read from once attached (see ``LedgerIndex``).
    var indexSchema = LedgerIndex.alias
    /// The store's live tail of unindexed entries, on the store's own reader connections.
    var tail: LedgerTail?

    /// Opens (and creates if needed) the database at `path`.
    init(path: String, readOnly: Bool = false) throws(StoreError) {
        var db: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw StoreError(code: code, message: message)
        }
        handle = db
        self.path = path
        self.readOnly = readOnly
        sqlite3_extended_result_codes(db, 1)
        // Readers and the writer may meet the checkpointer's locks. SQLite's own busy timeout
        // sleeps in growing steps (up to 100 ms), so a writer held back for 2 ms by a checkpoint
        // restarting the WAL could sleep for 50; polling every 0.2 ms (for up to 5 s) waits only
        // as long as the lock is held.
        sqlite3_busy_handler(db, { _, attempts in
            guard attempts < 25_000 else { return 0 }
            usleep(200)
            return 1
        }, nil)
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(StoreError) {
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &error)
        guard code == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(error)
            throw StoreError(code: code, message: message, sql: sql)
        }
    }

    /// Runs a pragma and returns its first column as text.
    @discardableResult
    func pragma(_ text: String) throws(StoreError) -> String? {
        let statement = try cached("PRAGMA \(text)")
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return statement.optionalText(0)
    }

    /// Returns the cached prepared statement for `sql`, preparing it on first use.
    func cached(_ sql: String) throws(StoreError) -> Statement {
        if let statement = statements[sql] { return statement }
        let statement = try Statement(connection: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The most recent error message SQLite reported on this connection.
    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// The number of rows the last statement changed.
    var changes: Int { Int(sqlite3_changes(handle)) }
}
