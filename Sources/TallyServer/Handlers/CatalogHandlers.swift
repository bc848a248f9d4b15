import TallyCore
import TallyEngine

/// The catalog from the configuration (plans, packs, the price book) and buying packs.
extension TallyAPI {
    func listPlans() -> Reply {
        let plans = engine.catalog.plans.values.sorted { $0.name < $1.name }
        return Reply(status: 200, body: .object([("data", .array(plans.map(CatalogJSON.plan)))]))
    }

    func listPacks() -> Reply {
        let packs = engine.catalog.packs.values.sorted { $0.name < $1.name }
        return Reply(status: 200, body: .object([("data", .array(packs.map(CatalogJSON.pack)))]))
    }

    func listOperations() -> Reply {
        let operations = engine.catalog.operations.sorted { $0.key < $1.key }
        let data: [JSONValue] = operations.map { .object([("name", .string($0.key)), ("cost", .integer($0.value))]) }
        return Reply(status: 200, body: .object([("data", .array(data))]))
    }

    /// Adds a pack's lot; the payment id as idempotency key never credits twice.
    func buyPack(_ call: inout Call) async throws(Problem) -> Reply {
        call.account = call.parameter
        var body = try RequestBody(call.request)
        guard let pack = try body.string("pack") else { throw .invalid("missing_field", "'pack' is required") }
        let reference = try body.string("reference")
        let key = try call.idempotencyKey(&body)
        try body.finish()
        let id = call.parameter
        let result = try await engineCall { () async throws(EngineError) in
            try await engine.buyPack(id, pack: pack, reference: reference, idempotencyKey: key)
        }
        return Reply(status: 201, body: AccountJSON.credit(result.value), replayed: result.replayed)
    }
}

/// Catalog entries as JSON.
enum CatalogJSON {
    static func plan(_ plan: Plan) -> JSONValue {
        .members([
            ("name", .string(plan.name)), ("allowance", .integer(plan.allowance)), ("period", .string(plan.period.rawValue)),
            ("rollover_cap", plan.rolloverCap.map { .integer($0) }), ("overdraft_limit", plan.overdraftLimit.map { .integer($0) }),
            ("thresholds", plan.thresholds.map { .array($0.map { .integer($0) }) }),
            ("usage_alerts_percent", plan.usageAlertsPercent.map { .array($0.map { .integer(Int64($0)) }) }),
            ("rate_limit", plan.rateLimit.map {
                .object([("limit", .integer(Int64($0.limit))), ("window_seconds", .integer(Int64($0.windowSeconds)))])
            }),
        ])
    }

    static func pack(_ pack: Pack) -> JSONValue {
        .members([
            ("name", .string(pack.name)), ("credits", .integer(pack.credits)),
            ("price", .object([("amount", .integer(pack.priceAmount)), ("currency", .string(pack.priceCurrency))])),
            ("expires_in_days", pack.expiresInDays.map { .integer(Int64($0)) }), ("priority", pack.priority.map { .integer(Int64($0)) }),
        ])
    }
}
