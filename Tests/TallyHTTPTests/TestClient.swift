// A raw-socket HTTP client and server fixture for the tests, so they can send exact bytes.
import Glibc
import TallyHTTP
import TallyTesting

/// A TCP client for sending exact bytes and reading raw answers.
///
/// Reads poll without blocking and sleep between tries, because a blocking read would hold one of
/// the few cooperative threads that the server's async handlers need.
final class RawClient {
    let fd: Int32
    private let timeoutMs: Int

    /// Connects to 127.0.0.1 on the port, with reads giving up after `timeoutMs`.
    init(port: Int, timeoutMs: Int = 5_000) throws {
        self.timeoutMs = timeoutMs
        // Connected before it is stored: a throw after every property is set still runs deinit,
        // whose close would then close the descriptor twice — by then perhaps another test's
        // server socket or epoll descriptor, which is how whole loops went deaf in the full suite.
        fd = try Self.connected(port: port)
    }

    private static func connected(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError.connectFailed(errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let failure = errno
            Glibc.close(fd)
            throw ClientError.connectFailed(failure)
        }
        return fd
    }

    deinit { Glibc.close(fd) }

    /// Sends every byte of the text.
    func send(_ text: String) {
        send(Array(text.utf8))
    }

    /// Sends every byte.
    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Reads until `count` complete responses arrived, the peer closed, or the timeout passed.
    func readResponses(_ count: Int) async -> [RawResponse] {
        var buffer: [UInt8] = []
        var responses: [RawResponse] = []
        while responses.count < count {
            if let (response, used) = RawResponse.parse(buffer) {
                responses.append(response)
                buffer.removeFirst(used)
                continue
            }
            guard let chunk = await readChunk() else { break }
            buffer += chunk
        }
        return responses
    }

    /// Reads one response, or nil when none arrived.
    func readResponse() async -> RawResponse? {
        await readResponses(1).first
    }

    /// Whether the server closed the connection (read returns 0) before the timeout.
    func isClosedByServer() async -> Bool {
        while true {
            switch await receive() {
            case .bytes: continue
            case .closed: return true
            case .timedOut: return false
            }
        }
    }

    /// Reads whatever arrives next, nil on close or timeout.
    func readChunk() async -> [UInt8]? {
        if case .bytes(let bytes) = await receive() { return bytes }
        return nil
    }

    private enum Received {
        case bytes([UInt8])
        case closed
        case timedOut
    }

    private func receive() async -> Received {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var waitedMs = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { return .bytes(Array(chunk[0..<count])) }
            if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) { return .closed }
            if waitedMs >= timeoutMs { return .timedOut }
            try? await Task.sleep(for: .milliseconds(5))
            waitedMs += 5
        }
    }

    /// Tells the server nothing more will be sent, while still reading its answers.
    func finishSending() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes the client's side.
    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
    }
}

enum ClientError: Error {
    case connectFailed(Int32)
}

/// The HTTP tests call the shared wire response by its older name.
typealias RawResponse = WireResponse

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
