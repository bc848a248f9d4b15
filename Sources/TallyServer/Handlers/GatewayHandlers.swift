import TallyCore
import TallyEngine
import TallyHTTP

/// The gateway path for proxies such as nginx's `auth_request`: the customer's key in
/// `X-Api-Key`, the proxied request in `X-Original-Method` / `X-Original-URI`, priced from the
/// configured routes and debited in one call.
extension TallyAPI {
    /// Answers 200 (allow) with `X-Credits-Remaining` and the rate-limit headers, or throws the
    /// refusal (400, 401, 402, 403, 429), counted by its code.
    func gatewayAuthorize(_ call: inout Call) async throws(Problem) -> HTTPResponse {
        let headers = call.request.headers
        let method = headers["X-Original-Method"] ?? ""
        let uri = headers["X-Original-URI"] ?? ""
        do throws(Problem) {
            guard let apiKey = headers["X-Api-Key"], !apiKey.isEmpty else { throw Problem(Rejection.invalidAPIKey) }
            guard !method.isEmpty, !uri.isEmpty else {
                throw .invalid("missing_field", "X-Original-Method and X-Original-URI are required")
            }
            let reply: Reply
            switch gateway.resolve(method: method, uri: uri) {
            case .refused(let problem):
                throw Problem(status: 400, code: "invalid_target", title: "Unreadable target", detail: "the original URI is refused (\(problem))")
            case .unpriced:
                throw Problem(status: 403, code: "route_not_priced", title: "Route not priced", detail: "no configured route prices \(method) of this path")
            case .free:
                let admitted = try await engineCall { () async throws(EngineError) in try await engine.admit(apiKey: apiKey) }
                call.account = admitted.account
                reply = Reply(status: 200, body: .object([("allowed", .bool(true))]), headers: Reply.rateHeaders(admitted.rate))
            case .charge(let operation, _):
                reply = try await charge(operation, apiKey: apiKey, idempotencyKey: headers["Idempotency-Key"], call: &call)
            }
            metrics.recordDecision("approved")
            return reply.response
        } catch {
            metrics.recordDecision(error.code)
            throw error
        }
    }

    private func charge(_ operation: String, apiKey: String, idempotencyKey: String?, call: inout Call) async throws(Problem) -> Reply {
        let request = AuthorizeRequest(account: "", operation: operation)
        let result = try await engineCall { () async throws(EngineError) in
            try await engine.authorizeMetered(request, apiKey: apiKey, idempotencyKey: idempotencyKey)
        }
        let authorization = result.value.authorization
        call.account = authorization.account
        return Reply(
            status: 200, body: AccountJSON.authorization(authorization), replayed: result.replayed,
            headers: [("X-Credits-Remaining", String(authorization.balance.available))] + Reply.rateHeaders(result.value.rate))
    }
}
