/// One HTTP response to send; the server adds Date, Server and Content-Length itself.
public struct HTTPResponse: Sendable {
    /// The status code, such as 200.
    public var status: Int
    /// Extra header fields; Content-Length, Transfer-Encoding, Date and Server given here are ignored.
    public var headers: HTTPHeaders
    /// The body bytes, sent whole with a Content-Length.
    public var body: [UInt8]

    /// Creates a response from a status, headers and body bytes.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Creates a response whose body is the UTF-8 bytes of a string.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), text: String) {
        self.init(status: status, headers: headers, body: Array(text.utf8))
    }
}

/// What the server tells the observer after each response is queued for writing.
public struct HTTPExchangeSummary: Sendable {
    /// The request method, empty when the request could not be parsed.
    public var method: String
    /// The request path, without query, empty when the request could not be parsed.
    public var path: String
    /// The status code sent.
    public var status: Int
    /// Nanoseconds from the complete request being parsed to its response being queued.
    public var durationNs: UInt64
    /// The number of request body bytes received.
    public var requestBodyBytes: Int
    /// The number of response body bytes sent (zero for HEAD).
    public var responseBodyBytes: Int
    /// The peer address as `ip:port`.
    public var remoteAddress: String
}
