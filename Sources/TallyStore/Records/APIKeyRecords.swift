public import TallyCore

/// A customer API key as stored: its SHA-256, never the key itself.
public struct APIKeyRecord: Sendable, Hashable {
    public let id: Int64
    public let account: String
    public var name: String?
    /// `live` or `test`.
    public let mode: String
    /// The key's first characters, for recognising it in listings.
    public let prefix: String
    public let hash: [UInt8]
    public let createdAtMs: Int64
    public var expiresAtMs: Int64?
    public var revokedAtMs: Int64?
    public var lastUsedAtMs: Int64?
    public var rateLimit: RateLimit?
    /// The key that replaced this one by rotation.
    public var replacedBy: Int64?

    /// Creates a record.
    public init(
        id: Int64, account: String, name: String?, mode: String, prefix: String, hash: [UInt8], createdAtMs: Int64,
        expiresAtMs: Int64?, rateLimit: RateLimit?
    ) {
        self.id = id
        self.account = account
        self.name = name
        self.mode = mode
        self.prefix = prefix
        self.hash = hash
        self.createdAtMs = createdAtMs
        self.expiresAtMs = expiresAtMs
        self.rateLimit = rateLimit
    }
}

extension Connection {
    static let apiKeyColumns = """
        SELECT id, account_id, name, mode, prefix, key_hash, created_at_ms, expires_at_ms, revoked_at_ms,
            last_used_at_ms, rate_limit, rate_window_seconds, replaced_by FROM api_keys
        """

    static func apiKey(_ row: Statement) -> APIKeyRecord {
        let limit = row.optionalInt(10).flatMap { limit in
            row.optionalInt(11).map { RateLimit(limit: Int(limit), windowSeconds: Int($0)) }
        }
        var key = APIKeyRecord(
            id: row.int(0), account: row.text(1), name: row.optionalText(2), mode: row.text(3), prefix: row.text(4),
            hash: row.blob(5), createdAtMs: row.int(6), expiresAtMs: row.optionalInt(7), rateLimit: limit)
        key.revokedAtMs = row.optionalInt(8)
        key.lastUsedAtMs = row.optionalInt(9)
        key.replacedBy = row.optionalInt(12)
        return key
    }

    /// The key with this SHA-256, if any.
    func apiKey(hash: [UInt8]) throws(StoreError) -> APIKeyRecord? {
        try cached(Connection.apiKeyColumns + " WHERE key_hash = ?").rows([hash], Connection.apiKey).first
    }

    /// The key with this id, if any.
    func apiKey(id: Int64) throws(StoreError) -> APIKeyRecord? {
        try cached(Connection.apiKeyColumns + " WHERE id = ?").rows([id], Connection.apiKey).first
    }

    /// An account's keys in id order, after `afterID`.
    func apiKeys(account: String, after afterID: Int64, limit: Int) throws(StoreError) -> [APIKeyRecord] {
        try cached(Connection.apiKeyColumns + " WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?")
            .rows([account, afterID, limit], Connection.apiKey)
    }
}

extension RowWriter {
    func put(apiKey key: APIKeyRecord) throws(StoreError) {
        try connection.cached(
            """
            INSERT INTO api_keys (id, account_id, name, mode, prefix, key_hash, created_at_ms, expires_at_ms,
                revoked_at_ms, last_used_at_ms, rate_limit, rate_window_seconds, replaced_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, expires_at_ms = excluded.expires_at_ms,
                revoked_at_ms = excluded.revoked_at_ms, rate_limit = excluded.rate_limit,
                rate_window_seconds = excluded.rate_window_seconds, replaced_by = excluded.replaced_by
            """
        ).run(
            key.id, key.account, key.name, key.mode, key.prefix, key.hash, key.createdAtMs, key.expiresAtMs,
            key.revokedAtMs, key.lastUsedAtMs, key.rateLimit?.limit, key.rateLimit?.windowSeconds, key.replacedBy)
    }

    func touch(apiKey id: Int64, atMs: Int64) throws(StoreError) {
        try connection.cached("UPDATE api_keys SET last_used_at_ms = ? WHERE id = ?").run(atMs, id)
    }
}
