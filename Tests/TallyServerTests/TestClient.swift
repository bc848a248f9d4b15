// A raw-socket HTTP/1.1 client for the end-to-end tests, so they need no URLSession.
import TallyCore
import Glibc
import TallyServer

/// A response as read off the wire, with its body parsed as JSON when it is JSON.
struct WireResponse {
    var status: Int
    var headers: [(String, String)]
    var body: String

    /// The first header value with this name, ignoring case.
    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The body parsed as JSON (a parse failure fails the calling test through `#require`).
    var json: JSONValue? { try? JSONParser.parse(Array(body.utf8)) }

    /// Parses one response from the front of the bytes, returning it and the bytes it used.
    static func parse(_ bytes: [UInt8]) -> (WireResponse, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4,
            let headEnd = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator })
        else { return nil }
        let head = String(decoding: bytes[0..<headEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        let status = Int(statusLine[1]) ?? 0
        let headers = lines.map { line -> (String, String) in
            let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? String(parts[1].drop(while: { $0 == " " })) : "")
        }
        let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        guard bytes.count >= headEnd + 4 + length else { return nil }
        let body = String(decoding: bytes[(headEnd + 4)..<(headEnd + 4 + length)], as: UTF8.self)
        return (WireResponse(status: status, headers: headers, body: body), headEnd + 4 + length)
    }
}

/// One request over a fresh loopback connection; reads poll without blocking so the
/// cooperative threads stay free for the server's handlers.
func exchange(port: Int, _ raw: [UInt8], timeoutMs: Int = 10_000) async throws -> WireResponse {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw ClientError.connectFailed }
    var offset = 0
    while offset < raw.count {
        let sent = raw.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
        guard sent > 0 else { throw ClientError.sendFailed }
        offset += sent
    }
    var buffer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    var waitedMs = 0
    while true {
        if let (response, _) = WireResponse.parse(buffer) { return response }
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count > 0 {
            buffer += chunk[0..<count]
            continue
        }
        if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) || waitedMs >= timeoutMs { throw ClientError.noResponse }
        try await Task.sleep(for: .milliseconds(2))
        waitedMs += 2
    }
}

enum ClientError: Error {
    case connectFailed, sendFailed, noResponse
}
