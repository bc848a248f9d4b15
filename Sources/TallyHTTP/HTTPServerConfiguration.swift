import Glibc

/// Where the server listens, how many loop threads it runs and the limits it enforces.
public struct HTTPServerConfiguration: Sendable {
    /// The IPv4 or IPv6 address to bind, such as `127.0.0.1`, `0.0.0.0` or `::`.
    public var host: String
    /// The TCP port to bind; 0 asks the kernel for a free one, which `start()` returns.
    public var port: Int
    /// How many event-loop threads serve connections.
    public var eventLoopCount: Int
    /// The limits on request size and timing.
    public var limits: HTTPLimits
    /// The most connections open at once; further ones are answered 503 and closed.
    public var maxConnections: Int
    /// The longest `shutdown()` waits for in-flight requests before closing everything.
    public var shutdownTimeoutMs: Int
    /// The backlog passed to `listen`.
    public var listenBacklog: Int

    /// Creates a configuration; every argument has a production default.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, eventLoopCount: Int = HTTPServerConfiguration.coreCount,
        limits: HTTPLimits = HTTPLimits(), maxConnections: Int = 10_000, shutdownTimeoutMs: Int = 30_000,
        listenBacklog: Int = 1024
    ) {
        self.host = host
        self.port = port
        self.eventLoopCount = max(1, eventLoopCount)
        self.limits = limits
        self.maxConnections = maxConnections
        self.shutdownTimeoutMs = shutdownTimeoutMs
        self.listenBacklog = listenBacklog
    }

    /// The number of online processors, the default loop count.
    public static var coreCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}
