/// Size and time limits applied to every request.
public struct HTTPLimits: Sendable {
    /// The most bytes of request line plus headers; more is answered 431.
    public var maxHeaderBytes: Int
    /// The most body bytes after de-chunking; more is answered 413.
    public var maxBodyBytes: Int
    /// How long a request's line and headers may take from its first byte; then 408 and close.
    public var headerTimeoutMs: Int
    /// How long a body may take after its headers; then 408 and close.
    public var bodyTimeoutMs: Int
    /// How long a connection may sit with no request in progress before it is closed silently.
    public var idleTimeoutMs: Int
    /// How many requests of one connection may wait for their handlers at once before reading pauses.
    public var maxPipelinedRequests: Int

    /// Creates limits; every argument has a production default.
    public init(
        maxHeaderBytes: Int = 16_384, maxBodyBytes: Int = 1_048_576, headerTimeoutMs: Int = 10_000,
        bodyTimeoutMs: Int = 30_000, idleTimeoutMs: Int = 60_000, maxPipelinedRequests: Int = 16
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.headerTimeoutMs = headerTimeoutMs
        self.bodyTimeoutMs = bodyTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.maxPipelinedRequests = max(1, maxPipelinedRequests)
    }
}
