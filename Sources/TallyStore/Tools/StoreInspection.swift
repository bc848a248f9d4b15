/// One connection for offline tools that check a database (`tally verify`, the fault harness).
///
/// Not thread-safe: use it on the thread that opened it, and only from tools, never from a
/// server's cooperative pool (every call blocks on SQLite).
public final class StoreInspection {
    private let connection: Connection
    private let path: String
    private let readOnly: Bool

    init(path: String, readOnly: Bool) throws(StoreError) {
        connection = try Store.openExisting(path: path, readOnly: readOnly)
        self.path = path
        self.readOnly = readOnly
    }

    /// Replays every account's ledger and returns what is wrong; no violations means clean.
    public func verify() throws(StoreError) -> (accounts: Int, violations: [LedgerVerifier.Violation]) {
        try LedgerVerifier(connection: connection).verify()
    }

    /// What SQLite's `integrity_check` finds wrong with the ledger file; empty when it is sound.
    public func integrityProblems() throws(StoreError) -> [String] {
        try Self.integrityProblems(connection)
    }

    /// What SQLite's `integrity_check` finds wrong with the ledger index file; empty when it is sound.
    public func indexIntegrityProblems() throws(StoreError) -> [String] {
        try Self.integrityProblems(Connection(path: LedgerIndex.path(forLedger: path), readOnly: readOnly))
    }

    private static func integrityProblems(_ connection: Connection) throws(StoreError) -> [String] {
        let result = try connection.cached("PRAGMA integrity_check").rows { $0.text(0) }
        return result == ["ok"] ? [] : result
    }

    /// Every ledger entry, in no particular order.
    public func allEntries() throws(StoreError) -> [InspectedEntry] {
        try connection.cached("SELECT id, account_id, amount, metadata, idempotency_key FROM entries").rows {
            InspectedEntry(id: $0.int(0), account: $0.text(1), amount: $0.int(2), metadata: $0.text(3), idempotencyKey: $0.optionalText(4))
        }
    }

    /// The keys of the outcomes stored apart from any entry (rejections, keyed requests that
    /// wrote no entry), in no particular order.
    public func separateOutcomeKeys() throws(StoreError) -> [(account: String, key: String)] {
        try connection.cached("SELECT account_id, key FROM idempotency").rows { ($0.text(0), $0.text(1)) }
    }

    /// Every hold, whatever its status, in no particular order.
    public func allHolds() throws(StoreError) -> [InspectedHold] {
        try connection.cached("SELECT id, account_id, amount, status FROM holds").rows {
            InspectedHold(id: $0.int(0), account: $0.text(1), amount: $0.int(2), status: $0.text(3))
        }
    }
}

/// A ledger entry as an inspection reads it: enough to match it with the answer that made it.
public struct InspectedEntry: Sendable {
    public let id: Int64
    public let account: String
    /// Signed: a debit's is negative.
    public let amount: Int64
    /// The entry's metadata as stored JSON text.
    public let metadata: String
    public let idempotencyKey: String?
}

/// A hold as an inspection reads it.
public struct InspectedHold: Sendable {
    public let id: Int64
    public let account: String
    public let amount: Int64
    /// `pending`, `captured`, `voided` or `expired`.
    public let status: String
}

extension Store {
    /// Opens the database at `path` for inspection; a missing file is an error, never created.
    ///
    /// Read-only unless `recovering`: then the connection may write, so that a WAL a crash left
    /// is recovered as the next server would recover it.
    public static func openForInspection(path: String, recovering: Bool = false) throws(StoreError) -> StoreInspection {
        try StoreInspection(path: path, readOnly: !recovering)
    }
}
