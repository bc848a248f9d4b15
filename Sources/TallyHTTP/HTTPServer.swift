import Glibc
import Synchronization
import TallySystem

/// An HTTP/1.1 server running its own epoll loop threads and answering through an async handler.
public final class HTTPServer: Sendable {
    private enum Lifecycle {
        case created
        case running([Mailbox])
        case stopped
    }

    private let context: ServerContext
    private let lifecycle = Mutex(Lifecycle.created)

    /// Creates a server; nothing listens until `start()`.
    ///
    /// The optional inline handler answers on the loop thread when it returns a response,
    /// which skips a Task hop for cheap routes; the observer hears about every response.
    public init(
        configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
        inlineHandler: HTTPInlineHandler? = nil,
        observer: HTTPExchangeObserver? = nil,
        handler: @escaping HTTPHandler
    ) {
        context = ServerContext(
            configuration: configuration, handler: handler, inlineHandler: inlineHandler, observer: observer)
    }

    /// Binds, starts the loop threads and returns the bound port (useful when the configured port is 0).
    @discardableResult
    public func start() throws(HTTPServerError) -> Int {
        try lifecycle.withLock { (lifecycle) throws(HTTPServerError) -> Int in
            guard case .created = lifecycle else { throw .alreadyStarted }
            let (port, loops) = try makeLoops()
            for (index, loop) in loops.enumerated() {
                do throws(HTTPServerError) {
                    try loop.startThread()
                } catch {
                    for started in loops[..<index] { started.mailbox.post(.stop) }
                    for unstarted in loops[index...] { unstarted.tearDown() }
                    throw error
                }
            }
            lifecycle = .running(loops.map(\.mailbox))
            return port
        }
    }

    /// Binds one listening socket per loop on the same port, the first one choosing it when the port is 0.
    private func makeLoops() throws(HTTPServerError) -> (Int, [EventLoop]) {
        let configuration = context.configuration
        var port = configuration.port
        var loops: [EventLoop] = []
        do throws(HTTPServerError) {
            for _ in 0..<configuration.eventLoopCount {
                let listener = try Socket.listen(
                    host: configuration.host, port: port, backlog: configuration.listenBacklog)
                if port == 0 { port = try Socket.boundPort(listener) }
                do throws(HTTPServerError) {
                    loops.append(try EventLoop(context: context, listenerFD: listener))
                } catch {
                    close(listener)
                    throw error
                }
            }
        } catch {
            for loop in loops { loop.tearDown() }
            throw error
        }
        return (port, loops)
    }

    /// Stops accepting, lets in-flight requests finish and be written, closes idle connections, then returns.
    ///
    /// Connections still busy after `shutdownTimeoutMs` are closed anyway.
    public func shutdown() async {
        let mailboxes = lifecycle.withLock { lifecycle -> [Mailbox] in
            guard case .running(let mailboxes) = lifecycle else { return [] }
            lifecycle = .stopped
            return mailboxes
        }
        guard !mailboxes.isEmpty else { return }
        for mailbox in mailboxes { mailbox.post(.drain) }
        let deadlineMs = MonotonicClock.nowMs() + Int64(context.configuration.shutdownTimeoutMs)
        while context.openConnections.load(ordering: .relaxed) > 0 && MonotonicClock.nowMs() < deadlineMs {
            try? await Task.sleep(for: .milliseconds(5))
        }
        for mailbox in mailboxes { mailbox.post(.stop) }
        while context.runningLoops.load(ordering: .sequentiallyConsistent) > 0 {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Returns once at most `count` connections are open across all loops, which closes by
    /// clients reach a little after the clients see them.
    public func waitForOpenConnections(atMost count: Int) async {
        await context.waitForOpenConnections(atMost: count)
    }

    /// The number of connections open right now, across all loops.
    public var openConnectionCount: Int {
        context.openConnections.load(ordering: .relaxed)
    }
}
