public import TallyCore
public import TallyStore
import TallyCrypto

/// What an operator gives to issue an API key to one of its customers.
public struct NewAPIKey: Sendable {
    public var account: String
    public var name: String?
    /// Nil takes the account's mode: `test` for a test account, else `live`.
    public var mode: APIKeyText.Mode?
    public var expiresAtMs: Int64?
    public var rateLimit: RateLimit?

    /// Creates a request for a key.
    public init(
        account: String, name: String? = nil, mode: APIKeyText.Mode? = nil, expiresAtMs: Int64? = nil,
        rateLimit: RateLimit? = nil
    ) {
        self.account = account
        self.name = name
        self.mode = mode
        self.expiresAtMs = expiresAtMs
        self.rateLimit = rateLimit
    }
}

/// A key just issued: the secret, shown this once, and its record.
public struct IssuedAPIKey: Sendable {
    /// Nil when the answer is a replay: only the key's SHA-256 is kept, so a client that lost the
    /// first answer revokes or rotates the key.
    public let secret: String?
    public let record: APIKeyRecord
}

extension Engine {
    /// Issues a key for an existing account that is not closed; only its SHA-256 is kept. A retry with the same
    /// idempotency key answers the key the first request issued, without its secret.
    public func createKey(_ new: NewAPIKey, idempotencyKey: String? = nil) async throws(EngineError) -> Replayable<IssuedAPIKey> {
        do throws(Rejection) {
            if let limit = new.rateLimit { try AccountRules.validate(rateLimit: limit) }
            if let expires = new.expiresAtMs, expires <= clock.nowMs() { throw .invalidExpiry }
            if let name = new.name, !Limits.keyNameCharacters.contains(name.unicodeScalars.count) {
                throw .invalidMetadata("a key name is at most \(Limits.keyNameCharacters.upperBound) characters")
            }
        } catch {
            throw .rejected(error)
        }
        let mode = try await checkCanIssueKeys(for: new.account, mode: new.mode)
        let fields = [
            new.account, new.name ?? "", mode.rawValue, new.expiresAtMs.map { String($0) } ?? "",
            new.rateLimit.map { "\($0.limit)/\($0.windowSeconds)" } ?? "",
        ]
        var issued: IssuedAPIKey?
        let result = try await once(idempotencyKey, scope: "key", fields: fields) { () throws(EngineError) in
            let fresh = try Self.newKey(
                id: context.ids.next(), account: new.account, name: new.name, mode: mode,
                expiresAtMs: new.expiresAtMs, rateLimit: new.rateLimit, nowMs: clock.nowMs())
            issued = fresh
            return UnownedWrite(id: fresh.record.id, changes: [.putAPIKey(fresh.record)])
        }
        return try await answer(issued, result)
    }

    /// An account's keys (never their secrets), in id order.
    public func keys(account: String, after afterID: Int64, limit: Int) async throws(EngineError) -> [APIKeyRecord] {
        _ = try await self.account(account)
        return try await read { store throws(StoreError) in
            try await store.apiKeys(account: account, after: afterID, limit: limit)
        }
    }

    /// Replaces a key with a new one; the old one keeps working for `graceMs` (within
    /// ``Limits/keyGraceSeconds``, default a day). A retry with the same idempotency key answers
    /// the first new key, without its secret.
    public func rotateKey(
        _ id: Int64, graceMs: Int64 = Limits.defaultKeyGraceSeconds * 1_000, idempotencyKey: String? = nil
    ) async throws(EngineError) -> Replayable<IssuedAPIKey> {
        let graceLimitMs = Limits.keyGraceSeconds.lowerBound * 1_000...Limits.keyGraceSeconds.upperBound * 1_000
        guard graceLimitMs.contains(graceMs) else { throw .rejected(.invalidExpiry) }
        var issued: IssuedAPIKey?
        var replaced: APIKeyRecord?
        let result = try await once(idempotencyKey, scope: "rotate-key", fields: [String(id), String(graceMs)]) {
            () throws(EngineError) in
            var old = try await key(id)
            guard old.revokedAtMs == nil else { throw .rejected(.keyRevoked) }
            let mode = try await checkCanIssueKeys(for: old.account, mode: APIKeyText.Mode(rawValue: old.mode) ?? .live)
            let fresh = try Self.newKey(
                id: context.ids.next(), account: old.account, name: old.name, mode: mode,
                expiresAtMs: old.expiresAtMs, rateLimit: old.rateLimit, nowMs: clock.nowMs())
            old.expiresAtMs = min(old.expiresAtMs ?? .max, clock.nowMs() + graceMs)
            old.replacedBy = fresh.record.id
            issued = fresh
            replaced = old
            return UnownedWrite(id: fresh.record.id, changes: [.putAPIKey(fresh.record), .putAPIKey(old)])
        }
        if let replaced { context.apiKeys.remember(replaced) }
        return try await answer(issued, result)
    }

    /// Revokes a key: from the moment this returns, no authorization with it is approved.
    public func revokeKey(_ id: Int64) async throws(EngineError) -> APIKeyRecord {
        var key = try await key(id)
        guard key.revokedAtMs == nil else { return key }
        key.revokedAtMs = clock.nowMs()
        try await store(key)
        return key
    }

    /// The key with this id.
    public func key(_ id: Int64) async throws(EngineError) -> APIKeyRecord {
        guard let found = try await read({ store throws(StoreError) in try await store.apiKey(id: id) }) else {
            throw .rejected(.keyNotFound)
        }
        return found
    }

    /// Refuses to issue keys for a missing or closed account, or of the other mode than the
    /// account's; answers the mode the key takes (`mode`, else the account's).
    private func checkCanIssueKeys(for id: String, mode: APIKeyText.Mode?) async throws(EngineError) -> APIKeyText.Mode {
        let account = try await account(id).account
        let chosen = mode ?? (account.livemode ? .live : .test)
        do throws(Rejection) {
            try account.checkCanIssueKeys()
            try account.checkKeyMode(chosen)
        } catch {
            throw .rejected(error)
        }
        return chosen
    }

    /// Checks a presented key, its account's status and its rate limit, without charging
    /// anything, for a request that costs nothing, such as a free gateway route.
    public func admit(apiKey: String) async throws(EngineError) -> (account: String, rate: RateDecision?) {
        let key = try await resolveKey(apiKey)
        let grant = APIKeyGrant(key)
        let rate = try await withAccount(key.account) { actor throws(ActorFailure) in try await actor.admit(grant) }
        return (key.account, rate)
    }

    /// The account an authorization is for: the owner of `apiKey` when one is presented (refused
    /// when unknown, revoked or expired), else `account`.
    public func accountOf(apiKey: String?, or account: String?) async throws(EngineError) -> String {
        guard let apiKey else { return account ?? "" }
        return try await resolveKey(apiKey).account
    }

    /// The key a customer presented, from memory after its first use; refused when unknown,
    /// revoked or expired.
    func resolveKey(_ presented: String) async throws(EngineError) -> APIKeyRecord {
        guard let text = APIKeyText(parsing: presented) else { throw .rejected(.invalidAPIKey) }
        let hash = APIKeyRing.hash(text.text)
        var key = context.apiKeys.cached(hash: hash)
        if key == nil {
            key = try await read { store throws(StoreError) in try await store.apiKey(hash: hash) }
            if let key { context.apiKeys.remember(key) }
        }
        guard let key, Crypto.constantTimeEqual(key.hash, hash) else { throw .rejected(.invalidAPIKey) }
        let nowMs = clock.nowMs()
        if let refusal = APIKeyRing.refusal(key, nowMs: nowMs) { throw .rejected(refusal) }
        if context.apiKeys.shouldTouch(key.id, nowMs: nowMs) {
            context.submit([.touchAPIKey(key.id, atMs: nowMs)]) { _ in }
        }
        return key
    }

    /// A new key for `account`: its secret and the record that keeps only its hash.
    private static func newKey(
        id: Int64, account: String, name: String?, mode: APIKeyText.Mode, expiresAtMs: Int64?, rateLimit: RateLimit?,
        nowMs: Int64
    ) throws(EngineError) -> IssuedAPIKey {
        guard let text = APIKeyText(mode: mode, randomBytes: Crypto.randomBytes(APIKeyText.minRandomBytes)) else {
            throw .storage(.corrupt("API key generation"))
        }
        let record = APIKeyRecord(
            id: id, account: account, name: name, mode: mode.rawValue, prefix: text.displayPrefix,
            hash: APIKeyRing.hash(text.text), createdAtMs: nowMs, expiresAtMs: expiresAtMs, rateLimit: rateLimit)
        return IssuedAPIKey(secret: text.text, record: record)
    }

    /// The answer of a keyed issue: the key just made, or on a replay the stored one without secret.
    private func answer(
        _ issued: IssuedAPIKey?, _ result: (id: Int64, replayed: Bool)
    ) async throws(EngineError) -> Replayable<IssuedAPIKey> {
        if let issued {
            context.apiKeys.remember(issued.record)
            return Replayable(value: issued, replayed: false)
        }
        return Replayable(value: IssuedAPIKey(secret: nil, record: try await key(result.id)), replayed: result.replayed)
    }

    /// Writes a key and then shows it to the ring, so a revocation is in force once durable.
    private func store(_ key: APIKeyRecord) async throws(EngineError) {
        if case .failure(let error) = await context.commit([.putAPIKey(key)]) { throw .storage(error) }
        context.apiKeys.remember(key)
    }
}
