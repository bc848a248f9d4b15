/// What a connection is waiting for, which decides the timeout that applies.
enum ConnectionPhase {
    case fresh, idle, head, body, busy, lingering, closed

    /// What running out of time in a phase does.
    enum Expiry {
        /// Close silently: nobody is owed an answer.
        case close
        /// Answer this error, then close.
        case fail(HTTPParseError)
    }

    /// How long a closing connection keeps discarding input so the client can read our last answer.
    static let lingerTimeoutMs = 2_000

    /// What happens once `elapsedMs` have passed in this phase; nil while time remains.
    func expiry(elapsedMs: Int, limits: HTTPLimits, outputUnsent: Bool) -> Expiry? {
        switch self {
        case .fresh where elapsedMs > limits.headerTimeoutMs, .idle where elapsedMs > limits.idleTimeoutMs:
            .close
        case .head where elapsedMs > limits.headerTimeoutMs:
            .fail(HTTPParseError(status: 408, reason: "request headers not received in time"))
        case .body where elapsedMs > limits.bodyTimeoutMs:
            .fail(HTTPParseError(status: 408, reason: "request body not received in time"))
        // The client stopped reading its answers.
        case .busy where outputUnsent && elapsedMs > limits.idleTimeoutMs:
            .close
        case .lingering where elapsedMs > Self.lingerTimeoutMs:
            .close
        default:
            nil
        }
    }
}
