/// An infrastructure failure of the store: SQLite said no, or the store is shutting down.
///
/// It never carries bound values, so it is safe to log.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The SQLite result code (extended), or 0 when the failure is the store's own.
    public let code: Int32
    public let message: String
    /// The statement that failed, if any.
    public let sql: String?

    /// Creates an error.
    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " (in: \(sql))" }
        return text
    }

    /// The store was closed before the work could run.
    public static let closed = StoreError(code: 0, message: "the store is closed")

    /// An earlier failed commit in the same account left state that is being reloaded.
    public static let accountReloading = StoreError(
        code: 0, message: "an earlier commit for this account failed; it is being reloaded")

    /// Stored data did not decode; the database is damaged or written by a newer version.
    public static func corrupt(_ what: String) -> StoreError {
        StoreError(code: 0, message: "stored data did not decode: \(what)")
    }
}
