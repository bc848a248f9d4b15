import TallyCore
import TallyEngine

/// Customer API keys: issue (the secret is shown once), list, rotate with a grace period, revoke.
extension TallyAPI {
    func createKey(_ call: inout Call) async throws(Problem) -> Reply {
        call.account = call.parameter
        var body = try RequestBody(call.request)
        var new = NewAPIKey(account: call.parameter, name: try body.string("name"))
        if let mode = try body.string("mode") {
            guard let parsed = APIKeyText.Mode(rawValue: mode) else { throw .invalid("invalid_field", "mode is live or test") }
            new.mode = parsed
        }
        new.expiresAtMs = try body.time("expires_at")
        new.rateLimit = try body.rateLimit()
        let key = try call.idempotencyKey(&body)
        try body.finish()
        let issued = try await engineCall { () async throws(EngineError) in try await engine.createKey(new, idempotencyKey: key) }
        return Self.issued(issued, nowMs: engine.clock.nowMs())
    }

    func listKeys(_ call: inout Call) async throws(Problem) -> Reply {
        call.account = call.parameter
        let account = call.parameter
        let nowMs = engine.clock.nowMs()
        return try await page(
            QueryParameters(call.request.query), after: PublicID.key.parse, expected: "after is a key id (key_…)",
            fetch: { after, limit throws(Problem) in
                try await engineCall { () async throws(EngineError) in
                    try await engine.keys(account: account, after: after ?? 0, limit: limit)
                }
            },
            cursor: { PublicID.key.format($0.id) }, render: { KeyJSON.key($0, secret: nil, nowMs: nowMs) })
    }

    func rotateKey(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try Self.keyID(call.parameter)
        var body = try RequestBody(call.request)
        let grace = try body.integer("grace_seconds", in: Limits.keyGraceSeconds.range, code: "invalid_field")
            ?? Limits.defaultKeyGraceSeconds
        let key = try call.idempotencyKey(&body)
        try body.finish()
        let issued = try await engineCall { () async throws(EngineError) in
            try await engine.rotateKey(id, graceMs: grace * 1_000, idempotencyKey: key)
        }
        call.account = issued.value.record.account
        return Self.issued(issued, nowMs: engine.clock.nowMs())
    }

    func revokeKey(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try Self.keyID(call.parameter)
        let key = try await engineCall { () async throws(EngineError) in try await engine.revokeKey(id) }
        call.account = key.account
        return Reply(status: 200, body: KeyJSON.key(key, secret: nil, nowMs: engine.clock.nowMs()))
    }

    /// 201 with the key; a replay says so and, the secret being kept only as a hash, omits it.
    private static func issued(_ issued: Replayable<IssuedAPIKey>, nowMs: Int64) -> Reply {
        Reply(
            status: 201, body: KeyJSON.key(issued.value.record, secret: issued.value.secret, nowMs: nowMs),
            replayed: issued.replayed)
    }

    private static func keyID(_ text: String) throws(Problem) -> Int64 {
        guard let id = PublicID.key.parse(text) else { throw Problem(Rejection.keyNotFound) }
        return id
    }
}

/// The JSON shape of API keys.
enum KeyJSON {
    /// A key: never its secret, except in the answer that issued it.
    static func key(_ key: APIKeyRecord, secret: String?, nowMs: Int64) -> JSONValue {
        let status: String =
            if key.revokedAtMs != nil { "revoked" } else if let expires = key.expiresAtMs, expires <= nowMs { "expired" } else { "active" }
        return .members([
            ("id", .string(PublicID.key.format(key.id))), ("account", .string(key.account)), ("key", secret.map { .string($0) }),
            ("prefix", .string(key.prefix)), ("name", key.name.map { .string($0) } ?? .null), ("mode", .string(key.mode)),
            ("status", .string(status)), ("created_at", .string(Timestamp.format(key.createdAtMs))),
            ("expires_at", LedgerJSON.timeOrNull(key.expiresAtMs)),
            ("revoked_at", LedgerJSON.timeOrNull(key.revokedAtMs)),
            ("last_used_at", LedgerJSON.timeOrNull(key.lastUsedAtMs)),
            ("rate_limit", key.rateLimit.map(rateLimit) ?? .null),
            ("replaced_by", key.replacedBy.map { .string(PublicID.key.format($0)) }),
        ])
    }

    static func rateLimit(_ limit: RateLimit) -> JSONValue {
        .object([("limit", .integer(Int64(limit.limit))), ("window_seconds", .integer(Int64(limit.windowSeconds)))])
    }
}
