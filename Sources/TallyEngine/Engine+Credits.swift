public import TallyCore
import TallyStore

/// How to authorize: the price, and whether to debit now or hold.
public struct AuthorizeRequest: Sendable, Hashable {
    /// What the call costs: an explicit amount, or units of an operation from the price book.
    public enum Price: Sendable, Hashable {
        case cost(Credits)
        case operation(String, quantity: Int64)
    }

    public var account: String
    public var price: Price
    /// Hold instead of debiting, for this long (nil debits at once).
    public var holdTTLMs: Int64?
    /// The operation the charge is for; recorded on the entry (priced ones set it themselves).
    public var operation: String?
    public var metadata: [String: String]

    /// Creates a request for an explicit cost.
    public init(account: String, cost: Credits, holdTTLMs: Int64? = nil, operation: String? = nil, metadata: [String: String] = [:]) {
        self.account = account
        self.price = .cost(cost)
        self.holdTTLMs = holdTTLMs
        self.operation = operation
        self.metadata = metadata
    }

    /// Creates a request priced from the price book: `quantity` units of `operation`.
    public init(account: String, operation: String, quantity: Int64 = 1, holdTTLMs: Int64? = nil, metadata: [String: String] = [:]) {
        self.account = account
        self.price = .operation(operation, quantity: quantity)
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
        try Self.check(reference: credit.reference)
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
        let metered = try await authorizeMetered(authorize, apiKey: nil, idempotencyKey: idempotencyKey)
        return Replayable(value: metered.value.authorization, replayed: metered.replayed)
    }

    /// Authorizes a cost for the account `authorize` names, or for the owner of `apiKey` when
    /// one is presented, and says which rate limit it passed.
    public func authorizeMetered(
        _ authorize: AuthorizeRequest, apiKey: String?, idempotencyKey: String? = nil
    ) async throws(EngineError) -> Replayable<MeteredAuthorization> {
        var authorize = authorize
        var grant: APIKeyGrant?
        if let apiKey {
            let key = try await resolveKey(apiKey)
            authorize.account = key.account
            grant = APIKeyGrant(key)
        }
        let cost: Credits
        var quantity: Int64?
        do throws(Rejection) {
            switch authorize.price {
            case .cost(let amount): cost = amount
            case .operation(let name, let units):
                cost = try context.configuration.catalog.cost(of: name, quantity: units)
                quantity = units
            }
            try CreditLimits.validate(cost)
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
            "authorize", String(cost), authorize.holdTTLMs.map { String($0) } ?? "",
            authorize.operation ?? "", quantity.map { String($0) } ?? "", Fingerprint.field(authorize.metadata),
        ])
        return try await withAccount(try Engine.checked(authorize.account)) { actor throws(ActorFailure) in
            try await actor.authorize(
                cost: cost, holdExpiresAtMs: holdExpiresAtMs, operation: authorize.operation, quantity: quantity,
                metadata: authorize.metadata, grant: grant, request: request
            ).finish()
        }
    }

    /// Buys a pack from the catalog: adds a `pack` lot with the pack's credits, expiry and
    /// priority. Pass the payment id as the idempotency key so a retried confirmation never
    /// credits twice.
    public func buyPack(
        _ account: String, pack name: String, reference: String? = nil, idempotencyKey: String? = nil
    ) async throws(EngineError) -> Replayable<CreditReceipt> {
        try Self.check(reference: reference)
        let pack: Pack
        do throws(Rejection) {
            pack = try context.configuration.catalog.pack(name)
        } catch {
            throw .rejected(error)
        }
        let credit = pack.creditRequest(atMs: clock.nowMs(), reference: reference)
        // The fingerprint names the pack, not the instant, so a retry later matches the first.
        let request = try Engine.keyed(idempotencyKey, ["pack", name, reference ?? ""])
        return try await withAccount(try Engine.checked(account)) { actor throws(ActorFailure) in
            try await actor.credit(credit, request: request).finish()
        }
    }

    /// Refuses a credit's reference longer than a note.
    private static func check(reference: String?) throws(EngineError) {
        guard let reference, !Limits.isNote(reference) else { return }
        throw .rejected(.invalidMetadata("a reference is at most \(Limits.noteCharacters.upperBound) characters"))
    }

    /// Plans, packs and the price book.
    public var catalog: Catalog { context.configuration.catalog }

    /// The longest time a hold may live.
    public var maxHoldTTLMs: Int64 { context.configuration.maxHoldTTLMs }

    /// The default time a hold lives when the caller names none.
    public var defaultHoldTTLMs: Int64 { context.configuration.defaultHoldTTLMs }
}
