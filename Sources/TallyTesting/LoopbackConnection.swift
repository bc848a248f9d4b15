import Glibc

/// One TCP connection to a server on 127.0.0.1, for sending exact bytes and reading raw answers.
///
/// Reads poll without blocking and sleep between tries, because a blocking read would hold one of
/// the few cooperative threads that a server's async handlers in the same process need.
public final class LoopbackConnection {
    /// The connection's socket.
    public let fd: Int32
    private let timeoutMs: Int

    /// Connects to 127.0.0.1 on the port, with reads giving up after `timeoutMs`.
    public init(port: Int, timeoutMs: Int = 5_000) throws(LoopbackClientError) {
        self.timeoutMs = timeoutMs
        // Connected before it is stored: a throw after every property is set still runs deinit,
        // whose close would then close the descriptor twice — by then perhaps another test's
        // server socket or epoll descriptor, which is how whole loops went deaf in the full suite.
        fd = try Self.connected(port: port)
    }

    private static func connected(port: Int) throws(LoopbackClientError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .connectFailed(errno: errno) }
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
            throw .connectFailed(errno: failure)
        }
        return fd
    }

    deinit { Glibc.close(fd) }

    /// Sends every byte of the text; false when the peer stopped taking them.
    @discardableResult
    public func send(_ text: String) -> Bool {
        send(Array(text.utf8))
    }

    /// Sends every byte; false when the peer stopped taking them.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Reads until `count` complete responses arrived, the peer closed, or the timeout passed.
    public func readResponses(_ count: Int) async -> [WireResponse] {
        var buffer: [UInt8] = []
        var responses: [WireResponse] = []
        while responses.count < count {
            if let (response, used) = WireResponse.parse(buffer) {
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
    public func readResponse() async -> WireResponse? {
        await readResponses(1).first
    }

    /// Whether the server closed the connection (read returns 0) before the timeout.
    public func isClosedByServer() async -> Bool {
        while true {
            switch await receive() {
            case .bytes: continue
            case .closed: return true
            case .timedOut: return false
            }
        }
    }

    /// Reads whatever arrives next, nil on close or timeout.
    public func readChunk() async -> [UInt8]? {
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
            try? await Task.sleep(for: .milliseconds(2))
            waitedMs += 2
        }
    }

    /// Tells the server nothing more will be sent, while still reading its answers.
    public func finishSending() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes the client's side.
    public func close() {
        shutdown(fd, Int32(SHUT_RDWR))
    }
}

/// Why a loopback exchange got no response.
public enum LoopbackClientError: Error {
    case connectFailed(errno: Int32)
    case noResponse
}
