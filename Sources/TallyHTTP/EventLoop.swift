import Glibc
import TallySystem

/// One epoll loop on its own thread: it accepts on its listening socket and serves those connections.
///
/// Each loop owns a listening socket bound to the same port with SO_REUSEPORT, so the kernel
/// spreads new connections across loops and no accepted socket ever has to cross threads.
final class EventLoop {
    /// The most epoll events taken per wait.
    private static let eventCapacity = 256
    /// The most connections accepted per wake-up, so a flood of connects cannot starve served sockets.
    private static let acceptsPerWake = 64
    /// The most times per wake-up the mailbox is drained again because running jobs posted more,
    /// so handler work that keeps queueing itself cannot starve the sockets.
    private static let mailboxRoundsPerWake = 8

    let context: ServerContext
    let mailbox: Mailbox
    /// Where handler tasks of this loop's connections run: on this loop's thread.
    let executor: LoopExecutor
    let epollFD: Int32
    /// The scratch buffer every connection of this loop reads into.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// The Date header bytes, refreshed once per second.
    private(set) var date = HTTPDate()
    /// The monotonic time at the latest wake-up.
    private(set) var nowMs = Int(MonotonicClock.nowMs())
    /// Whether `shutdown()` started: answers carry `Connection: close` and idle connections close.
    private(set) var isDraining = false

    private var listenerFD: Int32
    private var listenerPaused = false
    private var connections: [Int32: Connection] = [:]
    private var nextConnectionID: UInt64 = 0
    private var running = true
    private let sweepIntervalMs: Int
    private var nextSweepMs = 0

    /// Creates a loop around a listening socket it will own and close.
    init(context: ServerContext, listenerFD: Int32) throws(HTTPServerError) {
        self.context = context
        self.listenerFD = listenerFD
        epollFD = try Epoll.create()
        do {
            mailbox = try Mailbox()
            executor = LoopExecutor(mailbox: mailbox)
            try Epoll.add(epollFD, fd: mailbox.wakeFD, events: Epoll.readable)
            try Epoll.add(epollFD, fd: listenerFD, events: Epoll.readable)
        } catch {
            Glibc.close(epollFD)
            throw error
        }
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)
        let limits = context.configuration.limits
        let shortestTimeoutMs = min(limits.headerTimeoutMs, limits.bodyTimeoutMs, limits.idleTimeoutMs)
        sweepIntervalMs = min(250, max(5, shortestTimeoutMs / 4))
        date.refresh()
    }

    /// Starts the loop on a dedicated POSIX thread, outside Swift's cooperative pool.
    func startThread() throws(HTTPServerError) {
        context.runningLoops.add(1, ordering: .sequentiallyConsistent)
        let retained = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { argument in
                let loop = Unmanaged<EventLoop>.fromOpaque(argument!).takeRetainedValue()
                loop.run()
                return nil
            }, retained)
        guard result == 0 else {
            Unmanaged<EventLoop>.fromOpaque(retained).release()
            context.runningLoops.subtract(1, ordering: .sequentiallyConsistent)
            throw .system("pthread_create", result)
        }
        pthread_detach(thread)
    }

    private func run() {
        nameThread()
        let events = UnsafeMutableRawPointer.allocate(byteCount: Epoll.eventSize * Self.eventCapacity, alignment: 8)
        while running {
            let timeoutMs = mailbox.prepareToSleep() ? sweepIntervalMs : 0
            let count = Epoll.wait(epollFD, into: events, capacity: Self.eventCapacity, timeoutMs: timeoutMs)
            nowMs = Int(MonotonicClock.nowMs())
            date.refresh()
            for index in 0..<max(0, count) {
                dispatch(fd: Epoll.descriptor(in: events, at: index), events: Epoll.events(in: events, at: index))
            }
            // Always drained, not only on an eventfd report: posts while the loop was awake did not write it.
            handleMessages()
            if nowMs >= nextSweepMs {
                nextSweepMs = nowMs + sweepIntervalMs
                resumeListener()
                for connection in connections.values { connection.checkTimeout(nowMs: nowMs) }
            }
        }
        events.deallocate()
        tearDown()
        context.runningLoops.subtract(1, ordering: .sequentiallyConsistent)
    }

    /// Names the thread `tally-http`, so profiles and tests can tell handler work on a loop from the shared pool.
    ///
    /// Through /proc because Glibc's Swift module does not export pthread_setname_np.
    private func nameThread() {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        _ = write(fd, "tally-http", 10)
        Glibc.close(fd)
    }

    private func dispatch(fd: Int32, events: UInt32) {
        if fd == mailbox.wakeFD {
            mailbox.clearWake()
        } else if fd == listenerFD {
            acceptConnections()
        } else if let connection = connections[fd] {
            connection.handle(events: events)
        }
    }

    /// Handles queued messages, again while running them queued more (a handler's answer, say).
    private func handleMessages() {
        for _ in 0..<Self.mailboxRoundsPerWake {
            let messages = mailbox.takeAll()
            if messages.isEmpty { return }
            for message in messages { handle(message) }
        }
    }

    private func handle(_ message: LoopMessage) {
        switch message {
        case .response(let fd, let connectionID, let sequence, let response):
            guard let connection = connections[fd], connection.id == connectionID else { return }
            connection.complete(sequence: sequence, response: response)
        case .drain:
            startDraining()
        case .stop:
            running = false
        case .run(let job):
            executor.run(job)
        }
    }

    private func acceptConnections() {
        for _ in 0..<Self.acceptsPerWake {
            let fd: Int32
            let remoteAddress: String
            switch Socket.accept(listenerFD) {
            case .connection(let acceptedFD, let address):
                (fd, remoteAddress) = (acceptedFD, address)
            case .none:
                return
            case .exhausted:
                pauseListener()
                return
            }
            let open = context.openConnections.add(1, ordering: .relaxed).newValue
            guard open <= context.configuration.maxConnections else {
                refuse(fd)
                continue
            }
            nextConnectionID += 1
            let connection = Connection(fd: fd, id: nextConnectionID, remoteAddress: remoteAddress, loop: self)
            do {
                try Epoll.add(epollFD, fd: fd, events: Epoll.readable)
            } catch {
                refuse(fd)
                continue
            }
            connections[fd] = connection
        }
    }

    /// Stops watching the listener until the next sweep, since a level-triggered listener that cannot accept would spin.
    private func pauseListener() {
        listenerPaused = true
        Epoll.modify(epollFD, fd: listenerFD, events: 0)
    }

    private func resumeListener() {
        guard listenerPaused, listenerFD >= 0 else { return }
        listenerPaused = false
        Epoll.modify(epollFD, fd: listenerFD, events: Epoll.readable)
    }

    /// Answers 503 and closes a connection over the cap, without reading anything from it.
    private func refuse(_ fd: Int32) {
        var output: [UInt8] = []
        let response = ProtocolProblem.response(status: 503, detail: "the server has too many open connections")
        ResponseSerializer.append(response, to: &output, date: date.bytes, includeBody: true, connection: .close)
        _ = output.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        Glibc.close(fd)
        context.connectionClosed()
    }

    /// Forgets a connection that closed itself.
    func connectionClosed(_ connection: Connection) {
        connections[connection.fd] = nil
        context.connectionClosed()
    }

    private func startDraining() {
        guard !isDraining else { return }
        isDraining = true
        closeListener()
        for connection in connections.values { connection.drain() }
    }

    private func closeListener() {
        guard listenerFD >= 0 else { return }
        Epoll.remove(epollFD, fd: listenerFD)
        Glibc.close(listenerFD)
        listenerFD = -1
    }

    /// Closes every descriptor the loop owns; called on its thread at the end, or instead of starting it.
    func tearDown() {
        closeListener()
        for connection in connections.values { connection.close() }
        // Tasks still under way finish on the shared pool; their answers have nowhere to go.
        for case .run(let job) in mailbox.close() { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        Glibc.close(epollFD)
        readBuffer.deallocate()
    }
}
