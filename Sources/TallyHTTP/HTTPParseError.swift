/// Why a request could not be parsed, with the status code the server answers before closing.
public struct HTTPParseError: Error, Sendable, Equatable {
    /// The status code to answer, such as 400, 413, 431, 501 or 505.
    public var status: Int
    /// A short plain-words reason, for logs and tests.
    public var reason: String

    /// Creates an error from its status and reason.
    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    static func badRequest(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: 400, reason: reason)
    }

    static let headersTooLarge = HTTPParseError(status: 431, reason: "request line and headers too large")
    static let bodyTooLarge = HTTPParseError(status: 413, reason: "body too large")
    static let unsupportedVersion = HTTPParseError(status: 505, reason: "HTTP version not supported")
    static let unsupportedTransferEncoding = HTTPParseError(status: 501, reason: "transfer coding not supported")
    static let unsupportedExpectation = HTTPParseError(status: 417, reason: "expectation not supported")
}
