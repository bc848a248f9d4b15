// A raw-socket HTTP/1.1 client for the end-to-end tests, so they need no URLSession.
import TallyCore
import Glibc
import TallyServer
import TallyTesting

extension WireResponse {
    /// The body parsed as JSON, nil when it is not JSON.
    var json: JSONValue? { try? JSONParser.parse(Array(body.utf8)) }
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
