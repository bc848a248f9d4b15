import Glibc

/// Thin wrappers over the BSD socket calls the server uses.
enum Socket {
    /// Opens a non-blocking listening socket bound to host and port, sharing the port via SO_REUSEPORT.
    static func listen(host: String, port: Int, backlog: Int) throws(HTTPServerError) -> Int32 {
        var address = try SocketAddress(host: host, port: port)
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        do throws(HTTPServerError) {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR")
            try setOption(fd, SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT")
            let bound = address.withSockAddr { Glibc.bind(fd, $0, $1) }
            guard bound == 0 else { throw HTTPServerError.system("bind", errno) }
            guard Glibc.listen(fd, Int32(backlog)) == 0 else { throw HTTPServerError.system("listen", errno) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// The port a bound socket listens on.
    static func boundPort(_ fd: Int32) throws(HTTPServerError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw .system("getsockname", errno) }
        return SocketAddress.port(of: storage)
    }

    /// What one `accept` call gave.
    enum Accepted {
        /// A new connection and its peer address.
        case connection(fd: Int32, remoteAddress: String)
        /// No connection is waiting.
        case none
        /// The process or system is out of descriptors or memory; retrying at once would spin.
        case exhausted
    }

    /// Accepts one pending connection as a non-blocking socket with Nagle's delay off.
    static func accept(_ listener: Int32) -> Accepted {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.accept(listener, $0, &length)
            }
        }
        guard fd >= 0 else {
            switch errno {
            case EMFILE, ENFILE, ENOBUFS, ENOMEM: return .exhausted
            case ECONNABORTED, EINTR, EPROTO: return accept(listener)
            default: return .none
            }
        }
        // Glibc does not export accept4, so the flags are set with fcntl; this costs once per connection.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        return .connection(fd: fd, remoteAddress: SocketAddress.text(of: storage))
    }

    private static func setOption(_ fd: Int32, _ level: Int32, _ option: Int32, _ name: String) throws(HTTPServerError) {
        var on: Int32 = 1
        guard setsockopt(fd, level, option, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .system("setsockopt \(name)", errno)
        }
    }
}
