import TallyCore
public import TallyStore
import TallyWebhooks

/// What an operator gives to register a webhook endpoint.
public struct NewEndpoint: Sendable {
    public var url: String
    /// Event type names, or `["*"]` (the default) for all.
    public var eventTypes: [String]
    /// Only this account's events; nil for every account's.
    public var account: String?
    public var description: String?
    /// False receives test accounts' events instead of live ones; fixed at registration.
    public var livemode: Bool

    /// Creates a registration.
    public init(
        url: String, eventTypes: [String] = ["*"], account: String? = nil, description: String? = nil, livemode: Bool = true
    ) {
        self.url = url
        self.livemode = livemode
        self.eventTypes = eventTypes
        self.account = account
        self.description = description
    }
}

/// Changes to an endpoint; nil fields stay as they are.
public struct EndpointChanges: Sendable {
    public var url: String?
    public var eventTypes: [String]?
    /// `.some(nil)` widens the endpoint to every account.
    public var account: String??
    public var description: String??
    /// Enabling a disabled endpoint resumes its parked deliveries; disabling parks them.
    public var enabled: Bool?

    /// Creates a change set.
    public init(
        url: String? = nil, eventTypes: [String]? = nil, account: String?? = nil, description: String?? = nil,
        enabled: Bool? = nil
    ) {
        self.url = url
        self.eventTypes = eventTypes
        self.account = account
        self.description = description
        self.enabled = enabled
    }
}

extension Engine {
    /// Registers an endpoint with a new `whsec_` secret, returned here and on rotation only.
    ///
    /// A retry with the same idempotency key answers the endpoint it created (secret included)
    /// instead of registering a second one.
    public func createEndpoint(
        _ new: NewEndpoint, idempotencyKey: String? = nil
    ) async throws(EngineError) -> Replayable<EndpointRecord> {
        let url = try checkedURL(new.url)
        let types = try Self.checkedTypes(new.eventTypes)
        if let account = new.account { try Self.checkScope(account) }
        // A live endpoint's fingerprint stays as it was before test mode.
        let fields = [url, types.joined(separator: ","), new.account ?? "", new.description ?? ""] + (new.livemode ? [] : ["test"])
        var created: EndpointRecord?
        let result = try await once(idempotencyKey, scope: "endpoint", fields: fields) { () throws(EngineError) in
            let endpoint = EndpointRecord(
                id: context.ids.next(), url: url, description: new.description, eventTypes: types, account: new.account,
                livemode: new.livemode, secret: WebhookSecret.generate().text, createdAtMs: clock.nowMs())
            created = endpoint
            return UnownedWrite(id: endpoint.id, changes: [.putEndpoint(endpoint)])
        }
        if let created { return Replayable(value: created, replayed: false) }
        return Replayable(value: try await endpoint(result.id), replayed: result.replayed)
    }

    /// The endpoint with this id; `endpointNotFound` otherwise.
    public func endpoint(_ id: Int64) async throws(EngineError) -> EndpointRecord {
        guard let found = try await read({ store throws(StoreError) in try await store.endpoint(id: id) }) else {
            throw .rejected(.endpointNotFound)
        }
        return found
    }

    /// A page of endpoints in id order.
    public func endpoints(after afterID: Int64, limit: Int) async throws(EngineError) -> [EndpointRecord] {
        try await read { store throws(StoreError) in try await store.endpoints(after: afterID, limit: limit) }
    }

    /// Changes an endpoint; re-enabling clears its failure streak and resumes parked deliveries.
    public func updateEndpoint(_ id: Int64, _ changes: EndpointChanges) async throws(EngineError) -> EndpointRecord {
        var endpoint = try await self.endpoint(id)
        if let url = changes.url { endpoint.url = try checkedURL(url) }
        if let types = changes.eventTypes { endpoint.eventTypes = try Self.checkedTypes(types) }
        if let account = changes.account {
            if let account { try Self.checkScope(account) }
            endpoint.account = account
        }
        if let description = changes.description { endpoint.description = description }
        let nowMs = clock.nowMs()
        endpoint.updatedAtMs = nowMs
        var extra: [StoreChange] = []
        if let enabled = changes.enabled, enabled != endpoint.enabled {
            endpoint.enabled = enabled
            endpoint.disabledReason = enabled ? nil : DisableReason.manual.rawValue
            endpoint.disabledAtMs = enabled ? nil : nowMs
            if enabled {
                endpoint.consecutiveFailures = 0
                endpoint.failingSinceMs = nil
                extra = [
                    .putEndpointHealth(endpoint: id, consecutiveFailures: 0, failingSinceMs: nil, lastSuccessAtMs: endpoint.lastSuccessAtMs),
                    .resumeDeliveries(endpoint: id, failedSinceMs: nil, atMs: SystemClock().nowMs()),
                ]
            }
        }
        try await commit([.putEndpoint(endpoint)] + extra)
        dispatcher?.endpointChanged(id)
        return endpoint
    }

    /// Deletes an endpoint; its pending deliveries are parked for good.
    public func deleteEndpoint(_ id: Int64) async throws(EngineError) {
        var endpoint = try await self.endpoint(id)
        endpoint.deletedAtMs = clock.nowMs()
        endpoint.updatedAtMs = clock.nowMs()
        try await commit([.putEndpoint(endpoint)])
        dispatcher?.endpointChanged(id)
    }

    /// Gives the endpoint a new secret; the old one keeps signing beside it for the grace period.
    ///
    /// With an idempotency key a retried rotation answers the endpoint as it now is instead of
    /// rotating again, which would drop the secret the first answer showed.
    public func rotateEndpointSecret(
        _ id: Int64, idempotencyKey: String? = nil
    ) async throws(EngineError) -> Replayable<EndpointRecord> {
        var rotated: EndpointRecord?
        let result = try await once(idempotencyKey, scope: "rotate-endpoint", fields: [String(id)]) { () throws(EngineError) in
            var endpoint = try await self.endpoint(id)
            endpoint.previousSecret = endpoint.secret
            // Signing happens on the wall clock, so the grace period runs on it too.
            endpoint.previousSecretUntilMs = SystemClock().nowMs() + context.configuration.webhooks.rotationGraceMs
            endpoint.secret = WebhookSecret.generate().text
            endpoint.updatedAtMs = clock.nowMs()
            rotated = endpoint
            return UnownedWrite(id: id, changes: [.putEndpoint(endpoint)])
        }
        if let rotated { return Replayable(value: rotated, replayed: false) }
        return Replayable(value: try await endpoint(result.id), replayed: result.replayed)
    }

    /// A page of an endpoint's deliveries, newest first, each with its attempts.
    public func deliveries(
        endpoint id: Int64, before beforeID: Int64, limit: Int
    ) async throws(EngineError) -> [(delivery: DeliveryRecord, attempts: [AttemptRecord])] {
        _ = try await endpoint(id)
        return try await read { store throws(StoreError) in
            try await store.deliveries(endpoint: id, before: beforeID, limit: limit)
        }
    }

    /// Sends one delivery again, or every failed one created since `sinceMs`, plus the parked ones.
    public func replay(endpoint id: Int64, delivery: Int64?, sinceMs: Int64?) async throws(EngineError) {
        _ = try await endpoint(id)
        let nowMs = SystemClock().nowMs()  // deliveries run on the wall clock
        if let delivery {
            let found = try await read { store throws(StoreError) in try await store.delivery(id: delivery) }
            guard let found, found.endpoint == id else { throw .rejected(.deliveryNotFound) }
            try await commit([.replayDelivery(delivery, atMs: nowMs)])
        } else {
            try await commit([.resumeDeliveries(endpoint: id, failedSinceMs: sinceMs ?? 0, atMs: nowMs)])
        }
    }

    /// Runs one pass of the webhook dispatcher now (the engine runs them by itself).
    @discardableResult
    public func deliverDueWebhooks() async -> Int { await dispatcher?.pass() ?? 0 }

    /// Delivery attempts by outcome and latency; nil when the engine does not deliver.
    public var webhookMetrics: WebhookMetrics.Reading? { dispatcher?.metrics.reading }

    private func checkedURL(_ text: String) throws(EngineError) -> String {
        switch EndpointURL.validate(text, policy: context.configuration.webhooks.addressPolicy) {
        case .success(let url): return url.text
        case .failure(let problem): throw .rejected(.invalidEndpointURL(problem.rawValue))
        }
    }

    private static func checkedTypes(_ names: [String]) throws(EngineError) -> [String] {
        switch EndpointSubscription.eventTypes(from: names) {
        case .success(let types): return types.map { $0.map(\.rawValue).sorted() } ?? []
        case .failure(let problem): throw .rejected(.invalidEventTypes(Self.describe(problem)))
        }
    }

    private static func describe(_ problem: EventFilterProblem) -> String {
        switch problem {
        case .empty: "give at least one event type, or [\"*\"] for all"
        case .unknownType(let name): "unknown event type '\(name)'"
        case .wildcardNotAlone: "\"*\" cannot be combined with event types"
        }
    }

    /// Refuses an endpoint scope that could be no account's id (422, not 404: the body is wrong).
    private static func checkScope(_ account: String) throws(EngineError) {
        do throws(Rejection) {
            try AccountRules.validate(id: account)
        } catch {
            throw .rejected(error)
        }
    }
}
