import TallyCore
import TallyEngine

/// Opening, reading, changing and listing accounts, and topping them up.
extension TallyAPI {
    func createAccount(_ call: inout Call) async throws(Problem) -> Reply {
        var body = try RequestBody(call.request)
        let id = try body.requiredString("id")
        call.account = id
        let livemode = try body.bool("livemode") ?? true
        let limit = try body.integer("overdraft_limit", in: Limits.overdraft.range, code: "invalid_overdraft_limit")
        let metadata = try body.metadata() ?? [:]
        let thresholds = try Self.thresholds(&body) ?? []
        let plan = try body.string("plan")
        let rateLimit = try body.rateLimit()
        var autoTopUp: AutoTopUpSetting?
        if case .set(let setting) = try Self.autoTopUp(&body) { autoTopUp = setting }
        let key = try call.idempotencyKey(&body)
        try body.finish()
        let new = NewAccount(
            id: id, livemode: livemode, overdraftLimit: limit, metadata: metadata, thresholds: thresholds, plan: plan, autoTopUp: autoTopUp,
            rateLimit: rateLimit)
        let result = try await engineCall { () async throws(EngineError) in try await engine.createAccount(new, idempotencyKey: key) }
        return Reply(status: 201, body: AccountJSON.view(result.value), replayed: result.replayed)
    }

    /// `balance.low` levels: at most ``Limits/levelCount`` integers within ``Limits/threshold``.
    private static func thresholds(_ body: inout RequestBody) throws(Problem) -> [Credits]? {
        try body.integers("thresholds", in: Limits.threshold.range, code: "invalid_thresholds")
    }

    /// `auto_topup`: an object `{below, pack, monthly_cap?}` sets it, `null` removes it.
    private static func autoTopUp(_ body: inout RequestBody) throws(Problem) -> AutoTopUpChange? {
        if body.isExplicitNull("auto_topup") { return .remove }
        guard var fields = try body.object("auto_topup") else { return nil }
        guard let below = try fields.integer("below", in: Limits.amount.range, code: "invalid_auto_topup") else {
            throw .invalid("invalid_auto_topup", "'auto_topup.below' is required")
        }
        guard let pack = try fields.string("pack") else { throw .invalid("invalid_auto_topup", "'auto_topup.pack' is required") }
        let cap = try fields.integer("monthly_cap", in: Limits.autoTopUpMonthlyCap.range, code: "invalid_auto_topup")
        try fields.finish()
        return .set(AutoTopUpSetting(below: below, pack: pack, monthlyCap: cap.map { Int($0) }))
    }

    /// `plan` (a name, or `null` to leave the plan) with `prorate`: `"now"` changes at once pro
    /// rata, `"next_period"` (the default) at the next period start.
    private static func planChoice(_ body: inout RequestBody) throws(Problem) -> PlanChoice? {
        let timingText = try body.string("prorate")
        var timing = PlanChangeTiming.nextPeriodStart
        if let timingText {
            guard let parsed = PlanChangeTiming(rawValue: timingText) else {
                throw .invalid("invalid_prorate", "prorate is \"now\" or \"next_period\"")
            }
            timing = parsed
        }
        if body.isExplicitNull("plan") { return PlanChoice(name: nil, timing: timing) }
        guard let name = try body.string("plan") else {
            if timingText != nil { throw .invalid("invalid_prorate", "prorate applies to a plan change") }
            return nil
        }
        return PlanChoice(name: name, timing: timing)
    }

    func getAccount(_ call: inout Call) async throws(Problem) -> Reply {
        call.account = call.parameter
        let view = try await engineCall { () async throws(EngineError) in try await engine.account(call.parameter) }
        return Reply(status: 200, body: AccountJSON.view(view))
    }

    func updateAccount(_ call: inout Call) async throws(Problem) -> Reply {
        call.account = call.parameter
        var body = try RequestBody(call.request)
        var changes = AccountChanges()
        if let status = try body.string("status") {
            guard let parsed = AccountStatus(rawValue: status) else {
                throw .invalid("invalid_status", "status is one of active, suspended, closed")
            }
            changes.status = parsed
        }
        if body.has("livemode") {
            throw .invalid("immutable_field", "livemode is fixed when the account is created")
        }
        changes.overdraftLimit = try body.integer("overdraft_limit", in: Limits.overdraft.range, code: "invalid_overdraft_limit")
        changes.metadata = try body.metadataPatch()
        changes.thresholds = try Self.thresholds(&body)
        changes.autoTopUp = try Self.autoTopUp(&body)
        changes.plan = try Self.planChoice(&body)
        if body.isExplicitNull("rate_limit") { changes.rateLimit = .some(nil) } else if let limit = try body.rateLimit() {
            changes.rateLimit = .some(limit)
        }
        let key = try call.idempotencyKey(&body)
        try body.finish()
        let id = call.parameter
        let result = try await engineCall { () async throws(EngineError) in try await engine.updateAccount(id, changes, idempotencyKey: key) }
        return Reply(status: 200, body: AccountJSON.view(result.value), replayed: result.replayed)
    }

    func listAccounts(_ call: inout Call) async throws(Problem) -> Reply {
        let query = QueryParameters(call.request.query)
        return try await page(
            query, after: { (try? AccountRules.validate(id: $0)) == nil ? nil : $0 },
            expected: "after is the id of the last account of the previous page",
            fetch: { after, limit throws(Problem) in
                let livemode = try query.livemode()
                return try await engineCall { () async throws(EngineError) in
                    try await engine.accounts(after: after, limit: limit, livemode: livemode)
                }
            },
            cursor: { $0.account.id }, render: { .object(AccountJSON.summary($0.account)) })
    }

    func topUp(_ call: inout Call) async throws(Problem) -> Reply {
        call.account = call.parameter
        var body = try RequestBody(call.request)
        let amount = try body.requiredAmount("amount")
        let expiresAt = try body.time("expires_at")
        let priority = try body.integer("priority", in: Limits.priority.range, code: "invalid_priority")
        let promotional = try body.bool("promotional") ?? false
        let reference = try body.string("reference")
        let key = try call.idempotencyKey(&body)
        try body.finish()
        let credit = CreditRequest(
            amount: amount, source: promotional ? .grant : .topup, priority: priority.map { Int($0) },
            expiresAtMs: expiresAt, reference: reference)
        let id = call.parameter
        let result = try await engineCall { () async throws(EngineError) in try await engine.addCredits(id, credit, idempotencyKey: key) }
        return Reply(status: 201, body: AccountJSON.credit(result.value), replayed: result.replayed)
    }

    func ledger(_ call: inout Call) async throws(Problem) -> Reply {
        call.account = call.parameter
        let query = QueryParameters(call.request.query)
        let account = call.parameter
        return try await page(
            query, after: { PublicID.number(Substring($0)) },
            expected: "after is the seq of the last entry of the previous page",
            fetch: { after, limit throws(Problem) in
                var entryQuery = EntryQuery(account: account, afterSeq: after ?? 0, limit: limit)
                for (name, path) in [("from", \EntryQuery.fromMs), ("to", \EntryQuery.toMs)] {
                    guard let text = query[name] else { continue }
                    entryQuery[keyPath: path] = try RequestBody.time(text, name: name)
                }
                let request = entryQuery
                return try await engineCall { () async throws(EngineError) in try await engine.ledger(request) }
            },
            cursor: { String($0.seq) }, render: LedgerJSON.entry)
    }
}
