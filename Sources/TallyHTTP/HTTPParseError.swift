/// Why a request could not be parsed, with the status code the server answers before closing.
public struct HTTPParseError: Error, Sendable, Equatable {
    /// The status code to answer, such as 400, 413, 431, 501 or 505.
    public var status: Int
    /// A short plain-words reason, for logs and tests.
    public var reason: String
    /// The stable problem code the answer carries, such as `malformed_request` or `missing_host`.
    public var code: String

    /// Creates an error from its status and reason, with the status's code unless a more precise one is given.
    public init(status: Int, reason: String, code: String? = nil) {
        self.status = status
        self.reason = reason
        self.code = code ?? ProtocolProblem.code(for: status)
    }

    static func badRequest(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: 400, reason: reason)
    }

    static let missingHost = HTTPParseError(status: 400, reason: "no Host header", code: "missing_host")
    static let repeatedHost = HTTPParseError(status: 400, reason: "more than one Host header", code: "repeated_host")
    static let repeatedAuthorization = HTTPParseError(
        status: 400, reason: "more than one Authorization header", code: "repeated_authorization")
    static let headersTooLarge = HTTPParseError(status: 431, reason: "request line and headers too large")
    static let bodyTooLarge = HTTPParseError(status: 413, reason: "body too large")
    static let unsupportedVersion = HTTPParseError(status: 505, reason: "HTTP version not supported")
    static let unsupportedTransferEncoding = HTTPParseError(status: 501, reason: "transfer coding not supported")
    static let unsupportedExpectation = HTTPParseError(status: 417, reason: "expectation not supported")
}
