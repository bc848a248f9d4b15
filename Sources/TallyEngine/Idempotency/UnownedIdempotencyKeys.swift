import Synchronization
import TallyCore
import TallyStore

/// Idempotency for operations no account actor serializes (webhook endpoints, API keys): the
/// first outcome under a key is the id of what it made, stored in the same commit as the thing
/// itself, so a retried request gets that thing back instead of making another.
final class UnownedIdempotencyKeys: Sendable {
    /// Keys whose first request has not committed yet.
    private let inFlight = Mutex<Set<String>>([])

    /// Claims `key` for a first request; false while another request with it is running.
    func claim(_ key: String) -> Bool { inFlight.withLock { $0.insert(key).inserted } }

    func release(_ key: String) { _ = inFlight.withLock { $0.remove(key) } }
}

/// What a keyed account-less operation writes: the id it answers with and its rows.
struct UnownedWrite {
    let id: Int64
    let changes: [StoreChange]
}

extension Engine {
    /// Runs `write` at most once per idempotency key within retention: a repeat with the same
    /// request answers the id the first one made (`replayed`), with a different request
    /// `idempotencyKeyReused`, and while the first runs `idempotencyKeyInFlight`.
    ///
    /// `scope` keeps these keys apart from each other and from accounts' own keys (they are
    /// stored under the empty account, which no account id can be).
    func once(
        _ idempotencyKey: String?, scope: String, fields: [String], _ write: () async throws(EngineError) -> UnownedWrite
    ) async throws(EngineError) -> (id: Int64, replayed: Bool) {
        guard let request = try Engine.keyed(idempotencyKey, [scope] + fields) else {
            let made = try await write()
            try await commit(made.changes)
            return (made.id, false)
        }
        let key = scope + ":" + request.key
        guard context.unownedIdempotencyKeys.claim(key) else { throw .rejected(.idempotencyKeyInFlight) }
        defer { context.unownedIdempotencyKeys.release(key) }
        let stored = try await read { store throws(StoreError) in try await store.idempotencyRecord(account: "", key: key) }
        let sinceMs = clock.nowMs() - context.configuration.idempotencyRetentionMs
        if let stored, stored.createdAtMs >= sinceMs {
            guard stored.fingerprint == request.fingerprint, let id = Int64(String(decoding: stored.response, as: UTF8.self))
            else { throw .rejected(.idempotencyKeyReused) }
            return (id, true)
        }
        let made = try await write()
        try await commit(made.changes + [.putIdempotency(IdempotencyRecord(
            account: "", key: key, fingerprint: request.fingerprint, response: Array(String(made.id).utf8),
            createdAtMs: clock.nowMs()))])
        return (made.id, false)
    }

    /// Makes changes no account owns durable.
    func commit(_ changes: [StoreChange]) async throws(EngineError) {
        if case .failure(let error) = await context.commit(changes) { throw .storage(error) }
    }
}
