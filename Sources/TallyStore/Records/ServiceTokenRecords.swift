/// A service token as stored: its hash, never the token itself.
public struct ServiceTokenRecord: Sendable, Hashable {
    public let id: Int64
    public let name: String
    public let scope: String
    public let hash: [UInt8]
    /// The token's first characters, for recognising it in listings.
    public let prefix: String
    public let createdAtMs: Int64
    public let revokedAtMs: Int64?
}

extension Connection {
    /// Every service token, revoked ones included, in id order.
    func serviceTokens() throws(StoreError) -> [ServiceTokenRecord] {
        try cached(
            "SELECT id, name, scope, token_hash, prefix, created_at_ms, revoked_at_ms FROM service_tokens ORDER BY id"
        ).rows { row in
            ServiceTokenRecord(
                id: row.int(0), name: row.text(1), scope: row.text(2), hash: row.blob(3), prefix: row.text(4),
                createdAtMs: row.int(5), revokedAtMs: row.optionalInt(6))
        }
    }

    /// Stores a new token's hash and returns its id.
    func insertServiceToken(
        name: String, scope: String, hash: [UInt8], prefix: String, createdAtMs: Int64
    ) throws(StoreError) -> Int64 {
        try transaction { () throws(StoreError) -> Int64 in
            try cached(
                "INSERT INTO service_tokens (name, scope, token_hash, prefix, created_at_ms) VALUES (?, ?, ?, ?, ?) RETURNING id"
            ).rows([name, scope, hash, prefix, createdAtMs]) { $0.int(0) }.first ?? 0
        }
    }

    /// Marks a token revoked; false when there is no such token or it was already revoked.
    func revokeServiceToken(id: Int64, atMs: Int64) throws(StoreError) -> Bool {
        try transaction { () throws(StoreError) -> Bool in
            try cached("UPDATE service_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL")
                .run(atMs, id)
            return changes == 1
        }
    }
}
