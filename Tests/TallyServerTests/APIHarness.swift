// Starts the real API (engine on a temp SQLite file) for one test, with one service token per
// scope, and sends requests to it: in process by default, or through an HTTP server on an
// ephemeral loopback port for the tests that are about the wire.
import Foundation
import TallyCore
import TallyEngine
import TallyHTTP
import TallyServer
import TallyTesting
import TallyStore

/// How a test's requests reach the API.
enum APITransport {
    /// Straight into ``TallyAPI/respond(to:)``: no socket, no parser, no event loop.
    case inProcess
    /// Through a real HTTP server on 127.0.0.1, for tests of what crosses the wire.
    case loopback
}

/// A running API for one test.
struct APIHarness {
    static let adminToken = "test-admin-token-0123456789"
    /// 2026-01-15T10:00:00.000Z, where the manual clock starts.
    static let startMs: Int64 = 1_768_471_200_000

    /// The loopback server's port; only a `.loopback` harness has one.
    var port: Int {
        guard let serverPort else { preconditionFailure("an in-process harness has no port: ask for .loopback") }
        return serverPort
    }
    let serverPort: Int?
    let engine: Engine
    let api: TallyAPI
    let clock: ManualClock
    let databasePath: String
    /// Tokens with the `read` and `authorize` scopes, stored in the database.
    let readToken: String
    let authorizeToken: String

    /// Sends one request; `token` nil sends no Authorization header.
    func send(
        _ method: String, _ path: String, json body: String? = nil, token: String? = APIHarness.adminToken,
        headers: [(String, String)] = []
    ) async throws -> WireResponse {
        try await sendBytes(method, path, body: body.map { Array($0.utf8) }, token: token, headers: headers)
    }

    /// Sends one request with a raw body.
    func sendBytes(
        _ method: String, _ path: String, body: [UInt8]?, token: String? = APIHarness.adminToken,
        headers: [(String, String)] = []
    ) async throws -> WireResponse {
        guard let serverPort else {
            return await sendInProcess(method, path, body: body, token: token, headers: headers)
        }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        return try await loopbackExchange(port: serverPort, Array((head + "\r\n").utf8) + (body ?? []))
    }

    /// Hands the request to the API as the server would after parsing it.
    private func sendInProcess(
        _ method: String, _ target: String, body: [UInt8]?, token: String?, headers: [(String, String)]
    ) async -> WireResponse {
        var fields = HTTPHeaders([("Host", "test")])
        if let token { fields.add("Authorization", "Bearer \(token)") }
        for (name, value) in headers { fields.add(name, value) }
        if let body { fields.add("Content-Type", "application/json"); fields.add("Content-Length", "\(body.count)") }
        let query = target.firstIndex(of: "?")
        let request = HTTPRequest(
            method: method, target: target, path: String(target[..<(query ?? target.endIndex)]),
            query: query.map { String(target[target.index(after: $0)...]) }, headers: fields, body: body ?? [],
            remoteAddress: "127.0.0.1:0")
        let response = await api.respond(to: request)
        let answerHeaders = response.headers.fields.map { ($0.name, $0.value) } + [("Content-Length", "\(response.body.count)")]
        return WireResponse(status: response.status, headers: answerHeaders, body: String(decoding: response.body, as: UTF8.self))
    }

    /// Creates an account and tops it up.
    func fund(_ account: String, _ amount: Int64) async throws {
        _ = try await send("POST", "/v1/accounts", json: #"{"id": "\#(account)"}"#)
        _ = try await send("POST", "/v1/accounts/\(account)/topups", json: #"{"amount": \#(amount)}"#)
    }
}

/// Runs `body` against a fresh API and tears everything down afterwards; with `testClock` the
/// API serves the test-clock routes on the harness's manual clock.
func withAPI(
    over transport: APITransport = .inProcess, log: AccessLog? = nil, testClock: Bool = false, catalog: Catalog = Catalog(),
    webhooks: WebhookSettings = WebhookSettings(deliver: false), retention: RetentionSettings = RetentionSettings(),
    gateway: GatewayRouteTable? = nil, admission: Admission? = nil, _ body: (APIHarness) async throws -> Void
) async throws {
    let database = try TempDatabase()
    defer { database.remove() }
    let path = database.path

    let administration = try Store.openForAdministration(path: path, nowMs: APIHarness.startMs)
    var stored: [String] = []
    for scope in [Scope.read, .authorize] {
        let token = TokenSecret.generate()
        _ = try administration.insertServiceToken(
            name: scope.rawValue, scope: scope.rawValue, hash: TokenSecret.hash(token),
            prefix: TokenSecret.displayPrefix(token), createdAtMs: APIHarness.startMs)
        stored.append(token)
    }

    let clock = ManualClock(startMs: APIHarness.startMs)
    let engine = try Engine(
        configuration: EngineConfiguration(
            store: StoreConfiguration(path: path, durability: .normal), catalog: catalog, webhooks: webhooks,
            retention: retention),
        clock: clock)
    let tokens = ServiceTokens(adminToken: APIHarness.adminToken)
    try await tokens.reload(from: engine)
    // Debug builds on a loaded 2-core machine answer slower than the 50 ms bound all the time;
    // the tests check exactness, so admission is out of reach unless a test brings its own.
    let api = TallyAPI(
        engine: engine, tokens: tokens, log: log, testClock: testClock ? clock : nil, gateway: gateway,
        admission: admission ?? Admission(boundMs: 600_000))
    let server = transport == .inProcess ? nil : api.makeServer(
        configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 1, shutdownTimeoutMs: 5_000))
    let harness = APIHarness(
        serverPort: try server?.start(), engine: engine, api: api, clock: clock, databasePath: path, readToken: stored[0],
        authorizeToken: stored[1])
    do {
        try await body(harness)
    } catch {
        await server?.shutdown()
        await engine.close()
        throw error
    }
    await server?.shutdown()
    await engine.close()
}
