import Foundation

/// One migrated connection for rare administrative writes (such as `tally tokens`), beside or
/// without a running server.
///
/// Not thread-safe: use it on the thread that opened it, and only from tools, never from a
/// server's cooperative pool (every call blocks on SQLite).
public final class StoreAdministration {
    private let connection: Connection

    init(path: String, nowMs: Int64) throws(StoreError) {
        connection = try Connection(path: path)
        try connection.pragma("journal_mode = WAL")
        try connection.pragma("synchronous = FULL")
        try Migrations.migrate(connection, nowMs: nowMs)
    }

    /// Every service token, revoked ones included, in id order.
    public func serviceTokens() throws(StoreError) -> [ServiceTokenRecord] { try connection.serviceTokens() }

    /// Stores a new token's hash and returns its id.
    public func insertServiceToken(
        name: String, scope: String, hash: [UInt8], prefix: String, createdAtMs: Int64
    ) throws(StoreError) -> Int64 {
        try connection.insertServiceToken(name: name, scope: scope, hash: hash, prefix: prefix, createdAtMs: createdAtMs)
    }

    /// Marks a token revoked; false when there is no such token or it was already revoked.
    public func revokeServiceToken(id: Int64, atMs: Int64) throws(StoreError) -> Bool {
        try connection.revokeServiceToken(id: id, atMs: atMs)
    }

    /// Where the test clock last stood, if a `--test-clock` server ever advanced it here.
    public func testClockMs() throws(StoreError) -> Int64? { try connection.testClockMs() }
}

extension Store {
    /// Opens the database at `path` for administration, creating and migrating it if needed.
    public static func openForAdministration(path: String, nowMs: Int64) throws(StoreError) -> StoreAdministration {
        try StoreAdministration(path: path, nowMs: nowMs)
    }
}
