import TallyCore
import TallyEngine

/// Webhook endpoints: register (the secret is shown once), read, change, delete, rotate the
/// secret, read the deliveries log and replay.
extension TallyAPI {
    func createEndpoint(_ call: inout Call) async throws(Problem) -> Reply {
        var body = try RequestBody(call.request)
        let url = try body.requiredString("url")
        let events = try body.strings("events") ?? ["*"]
        let account = try body.string("account")
        let description = try Self.description(&body)
        let livemode = try body.bool("livemode") ?? true
        let key = try call.idempotencyKey(&body)
        try body.finish()
        let new = NewEndpoint(url: url, eventTypes: events, account: account, description: description ?? nil, livemode: livemode)
        let result = try await engineCall { () async throws(EngineError) in
            try await engine.createEndpoint(new, idempotencyKey: key)
        }
        return Reply(status: 201, body: WebhookJSON.endpoint(result.value, showSecret: true), replayed: result.replayed)
    }

    func getEndpoint(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try Self.endpointID(call.parameter)
        let endpoint = try await engineCall { () async throws(EngineError) in try await engine.endpoint(id) }
        return Reply(status: 200, body: WebhookJSON.endpoint(endpoint, showSecret: false))
    }

    func listEndpoints(_ call: inout Call) async throws(Problem) -> Reply {
        try await page(
            QueryParameters(call.request.query), after: PublicID.endpoint.parse, expected: "after is an endpoint id (we_…)",
            fetch: { after, limit throws(Problem) in
                try await engineCall { () async throws(EngineError) in try await engine.endpoints(after: after ?? 0, limit: limit) }
            },
            cursor: { PublicID.endpoint.format($0.id) }, render: { WebhookJSON.endpoint($0, showSecret: false) })
    }

    func updateEndpoint(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try Self.endpointID(call.parameter)
        var body = try RequestBody(call.request)
        var changes = EndpointChanges()
        if body.has("livemode") {
            throw .invalid("immutable_field", "livemode is fixed when the endpoint is registered")
        }
        changes.url = try body.string("url")
        changes.eventTypes = try body.strings("events")
        if body.isExplicitNull("account") { changes.account = .some(nil) } else if let account = try body.string("account") {
            changes.account = .some(account)
        }
        changes.description = try Self.description(&body)
        changes.enabled = try body.bool("enabled")
        _ = try call.idempotencyKey(&body)
        try body.finish()
        let endpoint = try await engineCall { () async throws(EngineError) in try await engine.updateEndpoint(id, changes) }
        return Reply(status: 200, body: WebhookJSON.endpoint(endpoint, showSecret: false))
    }

    func deleteEndpoint(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try Self.endpointID(call.parameter)
        try await engineCall { () async throws(EngineError) in try await engine.deleteEndpoint(id) }
        return Reply(status: 200, body: .object([("id", .string(PublicID.endpoint.format(id))), ("deleted", .bool(true))]))
    }

    func rotateEndpointSecret(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try Self.endpointID(call.parameter)
        var body = try RequestBody(call.request)
        let key = try call.idempotencyKey(&body)
        try body.finish()
        let result = try await engineCall { () async throws(EngineError) in
            try await engine.rotateEndpointSecret(id, idempotencyKey: key)
        }
        return Reply(status: 200, body: WebhookJSON.endpoint(result.value, showSecret: true), replayed: result.replayed)
    }

    func listDeliveries(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try Self.endpointID(call.parameter)
        // Newest first: the cursor is the last delivery seen, and the next page is older.
        return try await page(
            QueryParameters(call.request.query), after: PublicID.delivery.parse,
            expected: "after is a delivery id (wd_…) from this list",
            fetch: { after, limit throws(Problem) in
                try await engineCall { () async throws(EngineError) in
                    try await engine.deliveries(endpoint: id, before: after ?? Int64.max, limit: limit)
                }
            },
            cursor: { PublicID.delivery.format($0.delivery.id) },
            render: { WebhookJSON.delivery($0.delivery, attempts: $0.attempts) })
    }

    func replayDeliveries(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try Self.endpointID(call.parameter)
        var body = try RequestBody(call.request)
        let since = try body.time("since")
        let delivery = try body.string("delivery").map { text throws(Problem) -> Int64 in
            guard let delivery = PublicID.delivery.parse(text) else { throw Problem(Rejection.deliveryNotFound) }
            return delivery
        }
        _ = try call.idempotencyKey(&body)
        try body.finish()
        guard since == nil || delivery == nil else {
            throw .invalid("invalid_field", "give either 'delivery' or 'since', not both")
        }
        try await engineCall { () async throws(EngineError) in
            try await engine.replay(endpoint: id, delivery: delivery, sinceMs: since)
        }
        return Reply(status: 202, body: .object([("endpoint", .string(PublicID.endpoint.format(id))), ("replaying", .bool(true))]))
    }

    /// `description`: a string, or null to clear it (nil when absent).
    private static func description(_ body: inout RequestBody) throws(Problem) -> String?? {
        if body.isExplicitNull("description") { return .some(nil) }
        guard let text = try body.string("description") else { return nil }
        guard Limits.isNote(text) else {
            throw .invalid("invalid_field", "'description' is at most \(Limits.noteCharacters.upperBound) characters")
        }
        return .some(text)
    }

    private static func endpointID(_ text: String) throws(Problem) -> Int64 {
        guard let id = PublicID.endpoint.parse(text) else { throw Problem(Rejection.endpointNotFound) }
        return id
    }
}
