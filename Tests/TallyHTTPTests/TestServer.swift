// A server fixture for the HTTP tests: one HTTPServer on an ephemeral port per test, and the
// handlers they route to. Clients are TallyTesting's LoopbackConnection, to send exact bytes.
import Synchronization
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

/// A count of arrivals that tasks can wait for: a handler signals it and a test awaits it, or
/// the other way round, so neither side guesses how long the other takes.
final class Latch: Sendable {
    private let state: Mutex<(remaining: Int, waiters: [CheckedContinuation<Void, Never>])>

    /// Creates a latch that opens after `count` arrivals.
    init(count: Int = 1) {
        state = Mutex((count, []))
    }

    /// Counts one arrival; the last one resumes every waiter.
    func arrive() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.remaining -= 1
            guard state.remaining == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once every arrival has happened.
    func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                guard state.remaining > 0 else { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }
}

/// Echoes like `echoHandler`, but holds `/slow` until `gate` opens.
func gatedEchoHandler(_ gate: Latch) -> HTTPHandler {
    { request in
        if request.path == "/slow" { await gate.wait() }
        return await echoHandler(request)
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
    let text = "\(request.method) \(request.path) \(request.query ?? "-") \(String(decoding: request.body, as: UTF8.self))"
    return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain")]), text: text)
}
