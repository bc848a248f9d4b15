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
    /// Tasks waiting for the open connection count to fall to their bound.
    private let closeWaiters = Mutex<[(bound: Int, continuation: CheckedContinuation<Void, Never>)]>([])

    init(
        configuration: HTTPServerConfiguration, handler: @escaping HTTPHandler, inlineHandler: HTTPInlineHandler?,
        observer: HTTPExchangeObserver?
    ) {
        self.configuration = configuration
        self.handler = handler
        self.inlineHandler = inlineHandler
        self.observer = observer
    }

    /// Counts a connection closed and resumes the waiters whose bound the count has reached.
    func connectionClosed() {
        let open = openConnections.subtract(1, ordering: .relaxed).newValue
        let resumed = closeWaiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            guard !waiters.isEmpty else { return [] }
            let due = waiters.filter { $0.bound >= open }.map(\.continuation)
            waiters.removeAll { $0.bound >= open }
            return due
        }
        for continuation in resumed { continuation.resume() }
    }

    /// Returns once at most `bound` connections are open.
    func waitForOpenConnections(atMost bound: Int) async {
        await withCheckedContinuation { continuation in
            // Checked under the lock `connectionClosed` resumes under, so no close falls between.
            let reached = closeWaiters.withLock { waiters in
                guard openConnections.load(ordering: .relaxed) > bound else { return true }
                waiters.append((bound, continuation))
                return false
            }
            if reached { continuation.resume() }
        }
    }
}
