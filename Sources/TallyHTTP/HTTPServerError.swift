import Glibc

/// Why the server could not start.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed with this errno.
    case system(String, Int32)
    /// The host is not a numeric IPv4 or IPv6 address.
    case invalidHost(String)
    /// `start()` was called on a server that already started.
    case alreadyStarted

    /// A one-line explanation naming the failed call.
    public var description: String {
        switch self {
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        case .invalidHost(let host): "invalid host \(host): use a numeric IPv4 or IPv6 address"
        case .alreadyStarted: "server already started"
        }
    }
}
