/// An infrastructure failure of the store: SQLite said no, or the store is shutting down.
///
/// It never carries bound values, so it is safe to log. Callers that act on a failure switch on
/// its ``kind``; the message is for people.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What failed, as callers tell failures apart.
    public enum Kind: Sendable, Hashable {
        /// SQLite returned an error; ``StoreError/code`` says which.
        case sqlite
        /// The store was closed before the work could run.
        case closed
        /// An earlier failed commit in the same account left state that is being reloaded.
        case accountReloading
        /// Stored data did not decode; the database is damaged or written by a newer version.
        case corrupt
        /// A file could not be used as asked: missing, already there, or refusing WAL mode.
        case unusableFile
    }

    /// What failed.
    public let kind: Kind
    /// The SQLite result code (extended), or 0 when the failure is the store's own.
    public let code: Int32
    public let message: String
    /// The statement that failed, if any.
    public let sql: String?

    /// Creates an error.
    public init(_ kind: Kind = .sqlite, code: Int32, message: String, sql: String? = nil) {
        self.kind = kind
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
    public static let closed = StoreError(.closed, code: 0, message: "the store is closed")

    /// An earlier failed commit in the same account left state that is being reloaded.
    public static let accountReloading = StoreError(
        .accountReloading, code: 0, message: "an earlier commit for this account failed; it is being reloaded")

    /// Stored data did not decode; the database is damaged or written by a newer version.
    public static func corrupt(_ what: String) -> StoreError {
        StoreError(.corrupt, code: 0, message: "stored data did not decode: \(what)")
    }
}
