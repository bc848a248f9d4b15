// Starts the real API (engine on a temp SQLite file, HTTP server on an ephemeral loopback
// port) for one test, with one service token per scope, and sends requests to it.
import Foundation
import TallyCore
import TallyEngine
import TallyHTTP
import TallyServer
import TallyTesting
import TallyStore

/// A running API for one test.
struct APIHarness {
    static let adminToken = "test-admin-token-0123456789"
    /// 2026-01-15T10:00:00.000Z, where the manual clock starts.
    static let startMs: Int64 = 1_768_471_200_000

    let port: Int
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
        var head = "\(method) \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        return try await loopbackExchange(port: port, Array((head + "\r\n").utf8) + (body ?? []))
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
    log: AccessLog? = nil, testClock: Bool = false, catalog: Catalog = Catalog(),
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
    let server = api.makeServer(
        configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 1, shutdownTimeoutMs: 5_000))
    let port = try server.start()
    let harness = APIHarness(
        port: port, engine: engine, api: api, clock: clock, databasePath: path, readToken: stored[0],
        authorizeToken: stored[1])
    do {
        try await body(harness)
    } catch {
        await server.shutdown()
        await engine.close()
        throw error
    }
    await server.shutdown()
    await engine.close()
}
