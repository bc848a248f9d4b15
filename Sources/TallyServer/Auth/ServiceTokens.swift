import Synchronization
import TallyCrypto
import TallyEngine

/// The service tokens the server accepts, held in memory by hash for O(1) lookup.
///
/// Stored tokens are re-read by ``reload(from:)`` (the server does so every few seconds, so
/// tokens made or revoked with `tally tokens` take effect without a restart); the token from
/// `TALLY_ADMIN_TOKEN` lives only in memory.
public final class ServiceTokens: Sendable {
    private struct Entry: Sendable {
        let hash: [UInt8]
        let scope: Scope
    }

    private let stored = Mutex<[[UInt8]: Entry]>([:])
    private let environment: Entry?

    /// Creates the set, with one admin token given in the environment if any.
    public init(adminToken: String? = nil) {
        environment = adminToken.flatMap { $0.isEmpty ? nil : Entry(hash: TokenSecret.hash($0), scope: .admin) }
    }

    /// Replaces the stored tokens with the unrevoked ones in `records`.
    public func replace(with records: [ServiceTokenRecord]) {
        var table: [[UInt8]: Entry] = [:]
        for record in records where record.revokedAtMs == nil {
            guard let scope = Scope(rawValue: record.scope) else { continue }
            table[record.hash] = Entry(hash: record.hash, scope: scope)
        }
        stored.withLock { $0 = table }
    }

    /// Re-reads the stored tokens.
    public func reload(from engine: Engine) async throws(EngineError) {
        replace(with: try await engine.serviceTokens())
    }

    /// The scope of a presented token, or nil when it is unknown or revoked.
    public func scope(of token: String) -> Scope? {
        let hash = TokenSecret.hash(token)
        if let environment, Crypto.constantTimeEqual(environment.hash, hash) { return environment.scope }
        guard let entry = stored.withLock({ $0[hash] }), Crypto.constantTimeEqual(entry.hash, hash) else { return nil }
        return entry.scope
    }

    /// Checks the request's bearer token against a route's access (admin always may).
    func authorize(_ authorization: String?, for access: Access) throws(Problem) {
        let allowed: Set<Scope>
        switch access {
        case .public: return
        case .adminOnly: allowed = []
        case .scopes(let scopes): allowed = scopes
        }
        guard let authorization, authorization.count > 7,
            authorization.prefix(7).lowercased() == "bearer ",
            let scope = scope(of: String(authorization.dropFirst(7)))
        else { throw .unauthorized }
        guard scope == .admin || allowed.contains(scope) else { throw .forbidden(scope.rawValue) }
    }
}
