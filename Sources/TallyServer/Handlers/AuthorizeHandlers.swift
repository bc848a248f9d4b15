import TallyCore
import TallyEngine

/// The hot path: authorize-and-debit or hold; and settling holds.
extension TallyAPI {
    func authorize(_ call: inout Call) async throws(Problem) -> Reply {
        var body = try RequestBody(call.request)
        let apiKey = try body.string("api_key")
        let named = try body.string("account")
        guard (apiKey == nil) != (named == nil) else {
            throw .invalid(apiKey == nil ? "missing_field" : "invalid_field", "give exactly one of 'account' and 'api_key'")
        }
        let price = try Self.price(&body)
        let hold = try body.bool("hold") ?? false
        let ttlSeconds = try body.integer("hold_ttl_seconds", in: 1...Int64.max / 1_000, code: "invalid_hold_ttl")
        if ttlSeconds != nil && !hold {
            throw .invalid("invalid_field", "hold_ttl_seconds applies only with \"hold\": true")
        }
        let metadata = try body.metadata() ?? [:]
        let key = try call.idempotencyKey(&body)
        try body.finish()
        // With a key the engine finds the account; it is named here only for the 402's balance.
        let account = named ?? ""
        call.account = named
        let holdTTLMs = hold ? ttlSeconds.map { $0 * 1_000 } ?? engine.defaultHoldTTLMs : nil
        let request = switch price {
        case .cost(let amount):
            AuthorizeRequest(account: account, cost: amount, holdTTLMs: holdTTLMs, metadata: metadata)
        case .operation(let name, let quantity):
            AuthorizeRequest(account: account, operation: name, quantity: quantity, holdTTLMs: holdTTLMs, metadata: metadata)
        }
        do throws(EngineError) {
            let result = try await engine.authorizeMetered(request, apiKey: apiKey, idempotencyKey: key)
            call.account = result.value.authorization.account
            metrics.recordDecision("approved")
            return Reply(
                status: 200, body: AccountJSON.authorization(result.value.authorization), replayed: result.replayed,
                headers: Reply.rateHeaders(result.value.rate))
        } catch {
            metrics.recordDecision(error.rejection?.code ?? "error")
            var owner = named ?? ""
            if owner.isEmpty, let found = try? await engine.accountOf(apiKey: apiKey, or: nil) { owner = found }
            call.account = owner.isEmpty ? nil : owner
            throw denial(error, account: owner)
        }
    }

    /// The price of an authorize body: exactly one of `cost`, or `operation` with an optional
    /// `quantity` (default 1) priced from the price book.
    static func price(_ body: inout RequestBody) throws(Problem) -> AuthorizeRequest.Price {
        let operation = try body.string("operation")
        let quantity = try body.integer("quantity", in: Limits.quantity.range, code: "invalid_quantity")
        let hasCost = body.has("cost")
        if !hasCost { _ = try body.amount("cost") }  // a null cost is an absent one
        switch (operation, hasCost) {
        case (nil, false): throw .invalid("missing_field", "give 'cost' or 'operation'")
        case (.some, true): throw .invalid("invalid_field", "give either 'cost' or 'operation', not both")
        case (nil, true):
            if quantity != nil { throw .invalid("invalid_field", "'quantity' applies only with 'operation'") }
            return .cost(try body.requiredAmount("cost"))
        case (.some(let name), false): return .operation(name, quantity: quantity ?? 1)
        }
    }

    /// The problem for a refused authorization; a 402 also carries `approved: false` and the
    /// balance the account had when it was refused, which its replays show too.
    /// `cost` defaults to the charge the engine refused (for a priced operation, its price).
    private func denial(_ error: EngineError, account: String, cost: Credits? = nil) -> Problem {
        var problem = problem(for: error)
        guard case .insufficientCredits(_, let requested) = error.rejection else { return problem }
        problem.extra = [("approved", .bool(false)), ("account", .string(account)), ("cost", .integer(cost ?? requested))]
        // Never read again: a change made since would contradict the refusal and its replays.
        if case .refused(_, let balance, _) = error { problem.extra.append(("balance", balance.json)) }
        return problem
    }

    func getHold(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try holdID(call.parameter)
        let found = try await engineCall { () async throws(EngineError) in try await engine.hold(id) }
        call.account = found.account
        return Reply(status: 200, body: LedgerJSON.hold(found.hold, account: found.account))
    }

    func captureHold(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try holdID(call.parameter)
        var body = try RequestBody(call.request)
        let amount = try body.amount("amount")
        let key = try call.idempotencyKey(&body)
        try body.finish()
        do throws(EngineError) {
            let result = try await engine.capture(hold: id, amount: amount, idempotencyKey: key)
            return Reply(status: 200, body: AccountJSON.capture(result.value), replayed: result.replayed)
        } catch {
            guard case .insufficientCredits = error.rejection, let found = try? await engine.hold(id) else {
                throw problem(for: error)
            }
            throw denial(error, account: found.account, cost: amount ?? found.hold.amount)
        }
    }

    func voidHold(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try holdID(call.parameter)
        var body = try RequestBody(call.request)
        let key = try call.idempotencyKey(&body)
        try body.finish()
        let result = try await engineCall { () async throws(EngineError) in try await engine.void(hold: id, idempotencyKey: key) }
        return Reply(status: 200, body: AccountJSON.void(result.value), replayed: result.replayed)
    }

    private func holdID(_ text: String) throws(Problem) -> HoldID {
        guard let id = PublicID.hold.parse(text) else { throw Problem(Rejection.holdNotFound) }
        return id
    }
}
