import Glibc
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
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw LoopbackClientError.connectFailed }
    var offset = 0
    while offset < raw.count {
        let sent = raw.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
        guard sent > 0 else { throw LoopbackClientError.sendFailed }
        offset += sent
    }
    var buffer: [UInt8] = []
    var responses: [WireResponse] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    var waitedMs = 0
    while true {
        while let (response, used) = WireResponse.parse(buffer) {
            responses.append(response)
            buffer.removeFirst(used)
        }
        if responses.count >= count { return responses }
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if received > 0 {
            buffer += chunk[0..<received]
            continue
        }
        if received == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) || waitedMs >= timeoutMs {
            throw LoopbackClientError.noResponse
        }
        try await Task.sleep(for: .milliseconds(2))
        waitedMs += 2
    }
}

/// Why a loopback exchange got no response.
public enum LoopbackClientError: Error {
    case connectFailed, sendFailed, noResponse
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
        var head = "\(method) \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\nAuthorization: Bearer \(token)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let bytes = body.map { Array($0.utf8) } ?? []
        if body != nil { head += "Content-Type: application/json\r\nContent-Length: \(bytes.count)\r\n" }
        return try await loopbackExchange(port: port, Array((head + "\r\n").utf8) + bytes)
    }
}
