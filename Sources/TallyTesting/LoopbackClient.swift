import TallyCore

extension WireResponse {
    /// The body parsed as JSON, nil when it is not JSON.
    public var json: JSONValue? { try? JSONParser.parse(Array(body.utf8)) }
}

/// One request over a fresh loopback connection; reads poll without blocking so the
/// cooperative threads stay free for a server's handlers running in the same process.
public func loopbackExchange(port: Int, _ raw: [UInt8], timeoutMs: Int = 10_000) async throws -> WireResponse {
    try await loopbackExchanges(port: port, raw, count: 1, timeoutMs: timeoutMs)[0]
}

/// Sends bytes holding `count` requests (pipelined, in one write where the socket allows) over a
/// fresh loopback connection and reads their `count` responses in order.
public func loopbackExchanges(port: Int, _ raw: [UInt8], count: Int, timeoutMs: Int = 10_000) async throws
    -> [WireResponse]
{
    let connection = try LoopbackConnection(port: port, timeoutMs: timeoutMs)
    connection.send(raw)
    let responses = await connection.readResponses(count)
    guard responses.count == count else { throw LoopbackClientError.noResponse }
    return responses
}

/// Sends one request with `Connection: close` (and a Content-Length when there is a body) over a
/// fresh loopback connection and reads its response.
public func loopbackRequest(
    port: Int, _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
    timeoutMs: Int = 10_000
) async throws -> WireResponse {
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    if let body { head += "Content-Length: \(body.count)\r\n" }
    return try await loopbackExchange(port: port, Array((head + "\r\n").utf8) + (body ?? []), timeoutMs: timeoutMs)
}

/// A JSON client for one server on loopback with a bearer token.
public struct JSONClient: Sendable {
    public let port: Int
    public let token: String

    /// Creates a client for `port` sending `token`.
    public init(port: Int, token: String) {
        self.port = port
        self.token = token
    }

    /// Sends `method path` with an optional JSON body and extra headers.
    public func send(
        _ method: String, _ path: String, json body: String? = nil, headers: [(String, String)] = []
    ) async throws -> WireResponse {
        var all = [("Authorization", "Bearer \(token)")] + headers
        if body != nil { all.append(("Content-Type", "application/json")) }
        return try await loopbackRequest(port: port, method, path, headers: all, body: body.map { Array($0.utf8) })
    }
}
