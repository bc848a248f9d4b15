/// What a route does; the dispatcher switches over every case.
enum Action: String, Sendable, CaseIterable {
    case createAccount, listAccounts, getAccount, updateAccount, topUp, ledger
    case authorize, getHold, captureHold, voidHold, getDebit, refundDebit
    case health, readiness, metrics, openAPI
    case getTestClock, advanceTestClock
    case listPlans, listPacks, listOperations, buyPack, usage, listEvents
    case createEndpoint, listEndpoints, getEndpoint, updateEndpoint, deleteEndpoint, rotateEndpointSecret
    case listDeliveries, replayDeliveries
    case createKey, listKeys, rotateKey, revokeKey, gatewayAuthorize
}

/// Who may call a route.
enum Access: Sendable, Equatable {
    /// Anyone, without a token.
    case `public`
    /// Only an `admin` token.
    case adminOnly
    /// An `admin` token, or one with any of these scopes.
    case scopes(Set<Scope>)
}

/// One entry of the API: method, path pattern, who may call it and what it documents.
struct Route: Sendable {
    let method: String
    /// The path with `{id}` standing for the one parameter a route may have.
    let pattern: String
    let action: Action
    let access: Access
    let summary: String
    /// The component schema of the request body, if the route takes one.
    let request: String?
    /// The success status and the component schema of its body.
    let success: (status: Int, schema: String)
    /// The problem statuses the route can answer besides 400/401/403/503.
    let failures: [Int]

    /// The pattern's segments, for matching.
    var segments: [Substring] { pattern.split(separator: "/") }

    /// Whether the route changes state (and so takes an idempotency key).
    var isMutation: Bool { method != "GET" }
}
