// A server fixture for the HTTP tests: one HTTPServer on an ephemeral port per test, and the
// handlers they route to. Clients are TallyTesting's LoopbackConnection, to send exact bytes.
import TallyHTTP

/// Starts a server on an ephemeral port for one test and shuts it down afterwards.
func withServer(
    limits: HTTPLimits = HTTPLimits(), maxConnections: Int = 10_000, eventLoopCount: Int = 2,
    inlineHandler: HTTPInlineHandler? = nil, handler: @escaping HTTPHandler = echoHandler,
    _ body: (HTTPServer, Int) async throws -> Void
) async throws {
    let configuration = HTTPServerConfiguration(
        host: "127.0.0.1", port: 0, eventLoopCount: eventLoopCount, limits: limits, maxConnections: maxConnections,
        shutdownTimeoutMs: 5_000)
    let server = HTTPServer(configuration: configuration, inlineHandler: inlineHandler, handler: handler)
    let port = try server.start()
    do {
        try await body(server, port)
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
}

extension HTTPServer {
    /// The open connection count once it reaches `expected`, or as it is after ten seconds;
    /// the loops notice closes on their own threads, a little after the clients do.
    func openConnections(settlingAt expected: Int) async -> Int {
        let deadline = ContinuousClock.now + .seconds(10)
        while openConnectionCount != expected && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return openConnectionCount
    }
}

/// Answers every GET on the loop thread, the way the API answers `/healthz`, so all answers of
/// a pipelined batch are ready at once.
@Sendable func inlineEchoHandler(_ request: HTTPRequest) -> HTTPResponse? {
    guard request.method == "GET" else { return nil }
    return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain")]), text: "inline \(request.path)")
}

/// Answers with the method, path, query and body it saw, so tests can check routing.
@Sendable func echoHandler(_ request: HTTPRequest) async -> HTTPResponse {
    if request.path == "/slow" {
        try? await Task.sleep(for: .milliseconds(300))
    }
    let text = "\(request.method) \(request.path) \(request.query ?? "-") \(String(decoding: request.body, as: UTF8.self))"
    return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain")]), text: text)
}
