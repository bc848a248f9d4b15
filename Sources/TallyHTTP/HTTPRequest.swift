/// The protocol version from a request line, such as 1.1.
public struct HTTPVersion: Sendable, Equatable {
    /// The number before the dot.
    public var major: Int
    /// The number after the dot.
    public var minor: Int

    /// Creates a version from its two numbers.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// HTTP/1.0, which closes connections unless keep-alive is asked for.
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1, which keeps connections open unless close is asked for.
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
}

/// One complete HTTP request as received, body included.
public struct HTTPRequest: Sendable {
    /// The method token, such as `GET` or `POST`, exactly as sent.
    public var method: String
    /// The request target exactly as sent on the request line.
    public var target: String
    /// The path part of the target, without query; percent-decoding is not applied.
    public var path: String
    /// The part of the target after `?`, or nil when there is no `?`.
    public var query: String?
    /// The protocol version from the request line.
    public var version: HTTPVersion
    /// The header fields in the order received.
    public var headers: HTTPHeaders
    /// The body bytes, de-chunked when the request used chunked transfer coding.
    public var body: [UInt8]
    /// The peer address as `ip:port`, empty when the request did not come from a socket.
    public var remoteAddress: String
    /// When the server had read the whole request, in `MonotonicClock` nanoseconds; 0 when the
    /// request did not come from a socket. What the handler sees later tells how long it queued.
    public var receivedAtNs: UInt64 = 0

    /// Creates a request; the server and parser fill these in for you.
    public init(
        method: String, target: String, path: String, query: String?, version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], remoteAddress: String = ""
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }
}
