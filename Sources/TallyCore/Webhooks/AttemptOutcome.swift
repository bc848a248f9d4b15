/// How one delivery attempt ended, in the closed list the attempts log and metrics use.
public enum AttemptOutcome: Sendable, Hashable {
    /// The receiver answered 2xx within the timeout.
    case success
    /// The receiver answered with any other status; 3xx counts here, as redirects are not
    /// followed.
    case httpStatus(Int)
    /// The connect or total timeout passed first.
    case timeout
    /// The name did not resolve or no address accepted the connection.
    case connectFailed
    /// Every address the name resolved to is refused by the SSRF policy.
    case blockedAddress
    /// The TLS handshake or the certificate check failed.
    case tlsError
    /// Anything else: a reset connection, a malformed answer, a shutdown mid-attempt.
    case other

    /// The outcome of an answered request with this status.
    public init(status: Int) {
        self = (200...299).contains(status) ? .success : .httpStatus(status)
    }

    /// The stable name stored in the attempts log; the status itself is stored beside it.
    public var code: String {
        switch self {
        case .success: "success"
        case .httpStatus: "http_status"
        case .timeout: "timeout"
        case .connectFailed: "connect_failed"
        case .blockedAddress: "blocked_address"
        case .tlsError: "tls_error"
        case .other: "other"
        }
    }

    /// The outcome a stored `code` and status name; nil for an unknown code.
    public init?(code: String, status: Int) {
        switch code {
        case "success": self = .success
        case "http_status": self = .httpStatus(status)
        case "timeout": self = .timeout
        case "connect_failed": self = .connectFailed
        case "blocked_address": self = .blockedAddress
        case "tls_error": self = .tlsError
        case "other": self = .other
        default: return nil
        }
    }

    /// Whether the receiver asked to slow down (429, 502, 503, 504) or did not answer in time:
    /// the next attempt then waits at least the throttle floor and honours `Retry-After`.
    public var isThrottle: Bool {
        switch self {
        case .timeout: true
        case .httpStatus(let status): [429, 502, 503, 504].contains(status)
        default: false
        }
    }
}
