public import TallyCore
import TallyStore

/// How to authorize: the cost and whether to debit now or hold.
public struct AuthorizeRequest: Sendable, Hashable {
    public var account: String
    public var cost: Credits
    /// Hold instead of debiting, for this long (nil debits at once).
    public var holdTTLMs: Int64?
    public var operation: String?
    public var metadata: [String: String]

    /// Creates an authorize request.
    public init(account: String, cost: Credits, holdTTLMs: Int64? = nil, operation: String? = nil, metadata: [String: String] = [:]) {
        self.account = account
        self.cost = cost
        self.holdTTLMs = holdTTLMs
        self.operation = operation
        self.metadata = metadata
    }
}

extension Engine {
    /// Adds credits to an account: a top-up, a promotional grant or a pack; debt is repaid first.
    public func addCredits(
        _ account: String, _ credit: CreditRequest, idempotencyKey: String? = nil
    ) async throws(EngineError) -> Replayable<CreditReceipt> {
        let request = try Engine.keyed(idempotencyKey, [
            "credit", String(credit.amount), credit.source.rawValue, credit.priority.map { String($0) } ?? "",
            credit.expiresAtMs.map { String($0) } ?? "", credit.reference ?? "",
        ])
        return try await withAccount(try Engine.checked(account)) { actor throws(ActorFailure) in
            try await actor.credit(credit, request: request).finish()
        }
    }

    /// Authorizes a cost: debits it at once, or holds it when `holdTTLMs` is set.
    public func authorize(_ authorize: AuthorizeRequest, idempotencyKey: String? = nil) async throws(EngineError) -> Replayable<Authorization> {
        do throws(Rejection) {
            try CreditLimits.validate(authorize.cost)
            try AccountRules.validate(metadata: authorize.metadata)
        } catch {
            throw .rejected(error)
        }
        let configuration = context.configuration
        var holdExpiresAtMs: Int64?
        if let ttl = authorize.holdTTLMs {
            guard ttl >= 1_000, ttl <= configuration.maxHoldTTLMs else { throw .rejected(.invalidHoldTTL) }
            holdExpiresAtMs = clock.nowMs() + ttl
        }
        let request = try Engine.keyed(idempotencyKey, [
            "authorize", String(authorize.cost), authorize.holdTTLMs.map { String($0) } ?? "",
            authorize.operation ?? "", Fingerprint.field(authorize.metadata),
        ])
        return try await withAccount(try Engine.checked(authorize.account)) { actor throws(ActorFailure) in
            try await actor.authorize(
                cost: authorize.cost, holdExpiresAtMs: holdExpiresAtMs, operation: authorize.operation,
                metadata: authorize.metadata, request: request
            ).finish()
        }
    }

    /// The default time a hold lives when the caller names none.
    public var defaultHoldTTLMs: Int64 { context.configuration.defaultHoldTTLMs }
}
