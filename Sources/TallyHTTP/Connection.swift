import Glibc
import TallySystem

/// One client connection, owned by and only ever touched on its event loop's thread.
final class Connection {
    /// What the connection is waiting for, which decides the timeout that applies.
    private enum Phase {
        case fresh, idle, head, body, busy, lingering
    }

    /// How long a closing connection keeps discarding input so the client can read our last answer.
    private static let lingerTimeoutMs = 2_000
    /// How much input a closing connection discards before giving up and closing at once.
    private static let maxLingerBytes = 1 << 20

    /// Output still unsent beyond which reading pauses, so a client that does not read cannot grow it.
    private static let maxPendingOutputBytes = 1 << 20

    let fd: Int32
    let id: UInt64
    private let remoteAddress: String
    private unowned let loop: EventLoop
    private var parser: HTTPRequestParser
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var exchanges: [Exchange] = []
    private var firstSequence = 0
    /// Set after a request that closes the connection or a failure: nothing after it is parsed.
    private var parsingStopped = false
    /// Set once the client has finished sending; what it sent before is still parsed and answered.
    private var peerClosed = false
    /// Whether the parser has taken all it can from the bytes read so far, so only new input gives
    /// it more; false while bytes wait because `mayParse` held parsing back.
    private var parserNeedsBytes = true
    private var closeAfterOutput = false
    private var lingerBeforeClose = false
    private var watchedEvents = Epoll.readable
    private var phase = Phase.fresh
    private var phaseStartMs: Int
    private var answeredRequests = 0
    private var lingerBytes = 0
    private var isClosed = false

    init(fd: Int32, id: UInt64, remoteAddress: String, loop: EventLoop) {
        self.fd = fd
        self.id = id
        self.remoteAddress = remoteAddress
        self.loop = loop
        parser = HTTPRequestParser(limits: loop.context.configuration.limits)
        phaseStartMs = loop.nowMs
    }

    private var limits: HTTPLimits { loop.context.configuration.limits }

    /// Reacts to an epoll report for this socket.
    func handle(events: UInt32) {
        if events & Epoll.readable != 0 { phase == .lingering ? discardInput() : readAvailable() }
        // Not only a write: requests held back while output was backed up can run once it drains.
        if events & Epoll.writable != 0 && !isClosed { afterProgress() }
        if events & (Epoll.error | Epoll.hangUp) != 0 && events & Epoll.readable == 0 { close() }
    }

    /// Stores a handler's answer and writes every answer that is now due, in order.
    func complete(sequence: Int, response: HTTPResponse) {
        let index = sequence - firstSequence
        guard !isClosed, exchanges.indices.contains(index), exchanges[index].response == nil else { return }
        exchanges[index].response = response
        afterProgress()
    }

    /// Closes the connection now if it has no request under way; otherwise it closes after its answer.
    func drain() {
        if phase == .fresh || phase == .idle { close() }
    }

    /// Applies the idle, header or body timeout of the current phase.
    func checkTimeout(nowMs: Int) {
        let elapsedMs = nowMs - phaseStartMs
        switch phase {
        case .fresh where elapsedMs > limits.headerTimeoutMs, .idle where elapsedMs > limits.idleTimeoutMs:
            close()
        case .head where elapsedMs > limits.headerTimeoutMs:
            fail(HTTPParseError(status: 408, reason: "request headers not received in time"))
        case .body where elapsedMs > limits.bodyTimeoutMs:
            fail(HTTPParseError(status: 408, reason: "request body not received in time"))
        case .busy where outputOffset < output.count && elapsedMs > limits.idleTimeoutMs:
            // The client stopped reading its answers.
            close()
        case .lingering where elapsedMs > Self.lingerTimeoutMs:
            close()
        default:
            return
        }
    }

    private func readAvailable() {
        let buffer = loop.readBuffer
        // A few reads per wake-up at most, so one fast sender cannot starve the other sockets.
        var reads = 0
        while !parsingStopped && !peerClosed && reads < 4 {
            reads += 1
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count > 0 {
                parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                parserNeedsBytes = false
                if count < buffer.count { break }
            } else if count == 0 {
                peerClosed = true
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                break
            } else {
                close()
                return
            }
        }
        afterProgress()
    }

    /// Parses what is buffered, writes what is due and updates timers and epoll interest.
    ///
    /// It goes round again while requests already read were held back only for room (a pipeline
    /// slot, or less unsent output) and now have it: their bytes were read already, so no epoll
    /// read event would ever come for them.
    private func afterProgress() {
        repeat {
            parseBuffered()
            serializeReadyAnswers()
            writeOutput()
        } while !isClosed && !parserNeedsBytes && mayParse
    }

    /// Whether another request may be taken: no answer ends the connection, a pipeline slot is
    /// free and the client has read enough of its answers.
    private var mayParse: Bool {
        !parsingStopped && !closeAfterOutput && exchanges.count < limits.maxPipelinedRequests
            && output.count - outputOffset < Self.maxPendingOutputBytes
    }

    private func parseBuffered() {
        while mayParse {
            let event: HTTPParserEvent?
            do {
                event = try parser.next()
            } catch {
                queueFailure(error)
                return
            }
            parserNeedsBytes = event == nil
            switch event {
            case nil:
                return
            case .continueExpected:
                exchanges.append(Exchange(kind: .interimContinue))
            case .request(let request, let keepAlive):
                dispatch(request, keepAlive: keepAlive)
            }
        }
    }

    private func dispatch(_ request: HTTPRequest, keepAlive: Bool) {
        var request = request
        request.remoteAddress = remoteAddress
        request.receivedAtNs = MonotonicClock.nowNs()
        let info = Exchange.RequestInfo(
            method: request.method, path: request.path, isHead: request.method == "HEAD",
            isHTTP10: request.version == .http1_0, keepAlive: keepAlive,
            startNs: request.receivedAtNs, bodyBytes: request.body.count)
        // After a request that closes the connection, whatever else the client sent is not read.
        if !keepAlive { parsingStopped = true }
        if let inline = loop.context.inlineHandler, let response = inline(request) {
            exchanges.append(Exchange(kind: .request(info), response: response))
            return
        }
        let sequence = firstSequence + exchanges.count
        exchanges.append(Exchange(kind: .request(info)))
        let handler = loop.context.handler
        let mailbox = loop.mailbox
        let fd = fd
        let id = id
        Task(executorPreference: loop.executor) {
            let response = await handler(request)
            mailbox.post(.response(fd: fd, connectionID: id, sequence: sequence, response: response))
        }
    }

    private func fail(_ error: HTTPParseError) {
        queueFailure(error)
        afterProgress()
    }

    private func queueFailure(_ error: HTTPParseError) {
        parsingStopped = true
        exchanges.append(Exchange(kind: .failure(error)))
    }

    /// Moves the answers at the front that are ready into the output buffer, in request order.
    private func serializeReadyAnswers() {
        var written = 0
        for exchange in exchanges {
            guard exchange.isReady, !closeAfterOutput else { break }
            serialize(exchange)
            written += 1
        }
        exchanges.removeFirst(written)
        firstSequence += written
        if closeAfterOutput { exchanges.removeAll() }
    }

    private func serialize(_ exchange: Exchange) {
        switch exchange.kind {
        case .interimContinue:
            output.append(contentsOf: ResponseSerializer.continueBytes)
        case .failure(let error):
            closeAfterOutput = true
            lingerBeforeClose = true
            let response = Exchange.failureResponse(error)
            ResponseSerializer.append(
                response, to: &output, date: loop.date.bytes, includeBody: true, connection: .close)
            report(method: "", path: "", status: error.status, startNs: nil, requestBodyBytes: 0, response: response)
        case .request(let info):
            guard let response = exchange.response else { return }
            let close = !info.keepAlive || loop.isDraining || ResponseSerializer.asksToClose(response)
            if close { closeAfterOutput = true }
            let connection: ResponseSerializer.ConnectionField = close ? .close : info.isHTTP10 ? .keepAlive : .none
            ResponseSerializer.append(
                response, to: &output, date: loop.date.bytes, includeBody: !info.isHead, connection: connection)
            answeredRequests += 1
            report(
                method: info.method, path: info.path, status: response.status, startNs: info.startNs,
                requestBodyBytes: info.bodyBytes, response: info.isHead ? nil : response)
        }
    }

    private func report(
        method: String, path: String, status: Int, startNs: UInt64?, requestBodyBytes: Int, response: HTTPResponse?
    ) {
        guard let observer = loop.context.observer else { return }
        let durationNs = startNs.map { MonotonicClock.nowNs() &- $0 } ?? 0
        observer(
            HTTPExchangeSummary(
                method: method, path: path, status: status, durationNs: durationNs,
                requestBodyBytes: requestBodyBytes, responseBodyBytes: response?.body.count ?? 0,
                remoteAddress: remoteAddress))
    }

    /// Sends buffered output (every ready answer at once) until done or the socket is full, then decides what to watch.
    private func writeOutput() {
        while outputOffset < output.count {
            let sent = output.withUnsafeBytes { bytes in
                send(fd, bytes.baseAddress! + outputOffset, bytes.count - outputOffset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                outputOffset += sent
                phaseStartMs = loop.nowMs
            } else if sent < 0 && errno == EINTR {
                continue
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                break
            } else {
                close()
                return
            }
        }
        if outputOffset == output.count {
            resetOutput()
            if peerClosed && exchanges.isEmpty && parserNeedsBytes {
                close()
                return
            }
            if closeAfterOutput {
                lingerBeforeClose ? startLingering() : close()
                return
            }
        }
        updatePhase()
        updateWatchedEvents()
    }

    private func resetOutput() {
        // A large buffer left from a big response is dropped rather than kept per connection.
        if output.capacity > 65_536 { output = [] } else { output.removeAll(keepingCapacity: true) }
        outputOffset = 0
    }

    private func updatePhase() {
        let newPhase: Phase
        if !exchanges.isEmpty || outputOffset < output.count {
            newPhase = .busy
        } else if parser.isIdle {
            newPhase = answeredRequests == 0 ? .fresh : .idle
        } else {
            newPhase = parser.isReadingBody ? .body : .head
        }
        if newPhase != phase {
            phase = newPhase
            phaseStartMs = loop.nowMs
            if loop.isDraining { drain() }
        }
    }

    private func updateWatchedEvents() {
        guard !isClosed else { return }
        let pendingOutput = output.count - outputOffset
        let events = (mayParse && !peerClosed ? Epoll.readable : 0) | (pendingOutput > 0 ? Epoll.writable : 0)
        guard events != watchedEvents else { return }
        watchedEvents = events
        Epoll.modify(loop.epollFD, fd: fd, events: events)
    }

    /// Half-closes after an error answer and reads until the client closes too.
    ///
    /// Closing a socket with unread input makes the kernel send a reset, which can destroy the
    /// answer (a 413 to a client still uploading, say) before the client reads it. Ordinary
    /// closes skip this: the client asked for them or is idle, so no input is pending.
    private func startLingering() {
        phase = .lingering
        phaseStartMs = loop.nowMs
        shutdown(fd, Int32(SHUT_WR))
        if watchedEvents != Epoll.readable {
            watchedEvents = Epoll.readable
            Epoll.modify(loop.epollFD, fd: fd, events: Epoll.readable)
        }
    }

    /// Reads and drops input while lingering, closing on end of stream, error or too much input.
    private func discardInput() {
        let buffer = loop.readBuffer
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count > 0 {
                lingerBytes += count
                if lingerBytes <= Self.maxLingerBytes { continue }
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return
            }
            close()
            return
        }
    }

    /// Closes the socket and tells the loop; later handler answers for it are dropped.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        // Closing the only descriptor for the socket also removes it from epoll.
        Glibc.close(fd)
        loop.connectionClosed(self)
    }
}
