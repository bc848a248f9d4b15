import Synchronization

/// Answers a request asynchronously; it runs as a Task preferring its loop thread, so it must never block.
public typealias HTTPHandler = @Sendable (HTTPRequest) async -> HTTPResponse

/// Answers a request right on the loop thread, or returns nil to pass it to the async handler.
///
/// It must be fast and never block: while it runs, the loop serves no other connection.
public typealias HTTPInlineHandler = @Sendable (HTTPRequest) -> HTTPResponse?

/// Hears about every response once it is queued for writing, on the loop thread; keep it cheap.
public typealias HTTPExchangeObserver = @Sendable (HTTPExchangeSummary) -> Void

/// What every loop of one server shares: configuration, handlers and the live counters.
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let handler: HTTPHandler
    let inlineHandler: HTTPInlineHandler?
    let observer: HTTPExchangeObserver?
    /// Connections open across all loops, checked against `maxConnections` on accept.
    let openConnections = Atomic<Int>(0)
    /// Loop threads still running.
    let runningLoops = Atomic<Int>(0)

    init(
        configuration: HTTPServerConfiguration, handler: @escaping HTTPHandler, inlineHandler: HTTPInlineHandler?,
        observer: HTTPExchangeObserver?
    ) {
        self.configuration = configuration
        self.handler = handler
        self.inlineHandler = inlineHandler
        self.observer = observer
    }
}
