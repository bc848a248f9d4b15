import Glibc

/// A numeric IPv4 or IPv6 socket address, and conversions of peer addresses to text.
struct SocketAddress {
    private var storage = sockaddr_storage()
    private let length: socklen_t
    /// The address family, AF_INET or AF_INET6.
    let family: Int32

    /// Parses a numeric host; `localhost` is taken as 127.0.0.1 for convenience.
    init(host: String, port: Int) throws(HTTPServerError) {
        let host = host == "localhost" ? "127.0.0.1" : host
        var ipv4 = sockaddr_in()
        var ipv6 = sockaddr_in6()
        if inet_pton(AF_INET, host, &ipv4.sin_addr) == 1 {
            ipv4.sin_family = sa_family_t(AF_INET)
            ipv4.sin_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: ipv4, as: sockaddr_in.self) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        } else if inet_pton(AF_INET6, host, &ipv6.sin6_addr) == 1 {
            ipv6.sin6_family = sa_family_t(AF_INET6)
            ipv6.sin6_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: ipv6, as: sockaddr_in6.self) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        } else {
            throw .invalidHost(host)
        }
    }

    /// Calls the body with a `sockaddr` pointer and its length.
    mutating func withSockAddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        let length = self.length
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// The port of an IPv4 or IPv6 address.
    static func port(of storage: sockaddr_storage) -> Int {
        var storage = storage
        return withUnsafeBytes(of: &storage) { bytes in
            // sin_port and sin6_port sit at the same offset, right after the family.
            Int(UInt16(bigEndian: bytes.load(fromByteOffset: 2, as: UInt16.self)))
        }
    }

    /// The address as `ip:port` (or `[ip]:port` for IPv6).
    static func text(of storage: sockaddr_storage) -> String {
        var storage = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let port = port(of: storage)
        return withUnsafeMutableBytes(of: &storage) { bytes in
            let family = Int32(bytes.load(as: sa_family_t.self))
            if family == AF_INET {
                let address = bytes.baseAddress! + MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!
                inet_ntop(AF_INET, address, &buffer, socklen_t(buffer.count))
                return "\(text(of: buffer)):\(port)"
            }
            let address = bytes.baseAddress! + MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)!
            inet_ntop(AF_INET6, address, &buffer, socklen_t(buffer.count))
            return "[\(text(of: buffer))]:\(port)"
        }
    }

    private static func text(of cString: [CChar]) -> String {
        String(decoding: cString.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
