/// The protocol state of one connection, as a value: it is told what happened and says what to do.
///
/// It owns parsing, the pipeline of answers owed in request order, the output buffer, keep-alive
/// and close decisions, lingering after an error answer, draining and the timeouts. It makes no
/// system call and reads no clock: `Connection` (the socket shell) feeds it events and the time,
/// then runs the actions `nextAction(at:)` returns until it says `.wait`.
struct ConnectionStateMachine {
    /// How much input a closing connection discards before giving up and closing at once.
    static let maxLingerBytes = 1 << 20
    /// Output still unsent beyond which parsing pauses, so a client that does not read cannot grow it.
    static let maxPendingOutputBytes = 1 << 20

    private let limits: HTTPLimits
    private let remoteAddress: String
    /// Whether answers produce `.report` actions; false when nobody observes them.
    private let reportsExchanges: Bool
    private var parser: HTTPRequestParser
    private var answers = AnswerQueue()
    /// Set after a request that closes the connection or a failure: nothing after it is parsed.
    private var parsingStopped = false
    /// Set once the client has finished sending; what it sent before is still parsed and answered.
    private var peerClosed = false
    /// Whether the parser has taken all it can from the bytes received so far, so only new input
    /// gives it more; false while bytes wait because `mayParse` held parsing back.
    private var parserNeedsBytes = true
    private var closeAfterOutput = false
    private var lingerBeforeClose = false
    /// Set when a send found the socket full; cleared when it is writable again.
    private var socketFull = false
    /// Set when a timeout, the drain or lingering decided to close; the next action is `.close`.
    private var mustClose = false
    private var isDraining = false
    private var watching = ConnectionInterest.readableOnly
    private(set) var phase = ConnectionPhase.fresh
    private var phaseStartMs: Int
    private var answeredRequests = 0
    private var lingerBytes = 0

    /// Creates the machine of a connection accepted at `nowMs`.
    init(limits: HTTPLimits, remoteAddress: String, reportsExchanges: Bool, nowMs: Int) {
        self.limits = limits
        self.remoteAddress = remoteAddress
        self.reportsExchanges = reportsExchanges
        parser = HTTPRequestParser(limits: limits)
        phaseStartMs = nowMs
    }

    /// Whether the shell should read the socket: to parse, or to discard input while lingering.
    var wantsInput: Bool {
        switch phase {
        case .lingering: !mustClose
        case .closed: false
        default: !parsingStopped && !peerClosed
        }
    }

    /// Whether another request may be taken: no answer ends the connection, a pipeline slot is
    /// free and the client has read enough of its answers.
    private var mayParse: Bool {
        !parsingStopped && !closeAfterOutput && answers.count < limits.maxPipelinedRequests
            && answers.unsentByteCount < Self.maxPendingOutputBytes
    }

    /// Calls `body` with the output not sent yet, for the shell to send.
    func withUnsentOutput<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        answers.withUnsentOutput(body)
    }

    // MARK: Events

    /// Takes bytes read from the socket: request bytes to parse, or input to drop while lingering.
    mutating func bytesReceived(_ bytes: UnsafeRawBufferPointer) {
        guard phase != .lingering else {
            lingerBytes += bytes.count
            if lingerBytes > Self.maxLingerBytes { mustClose = true }
            return
        }
        parser.append(bytes)
        parserNeedsBytes = false
    }

    /// Notes that the client finished sending; a lingering connection has then done its job.
    mutating func readEOF() {
        if phase == .lingering { mustClose = true } else { peerClosed = true }
    }

    /// Stores a handler's answer; it is written once every answer before it is.
    mutating func responseReady(sequence: Int, response: HTTPResponse) {
        guard phase != .closed else { return }
        answers.answer(sequence: sequence, response: response)
    }

    /// Notes that a send took `byteCount` bytes of the unsent output, which counts as progress.
    mutating func writeCompleted(byteCount: Int, nowMs: Int) {
        answers.sent(byteCount: byteCount)
        phaseStartMs = nowMs
    }

    /// Notes that the socket took nothing; output waits for `writable()`.
    mutating func writeBlocked() {
        socketFull = true
    }

    /// Notes that the socket can take output again.
    mutating func writable() {
        socketFull = false
    }

    /// Stops keeping the connection: answers from now on say close, and an idle connection closes now.
    mutating func shutdownRequested() {
        isDraining = true
        if phase == .fresh || phase == .idle { mustClose = true }
    }

    /// Applies the idle, header, body, write or linger timeout of the current phase; true when one ran out.
    mutating func timeout(nowMs: Int) -> Bool {
        let outputUnsent = answers.unsentByteCount > 0
        switch phase.expiry(elapsedMs: nowMs - phaseStartMs, limits: limits, outputUnsent: outputUnsent) {
        case nil: return false
        case .close: mustClose = true
        case .fail(let error): queueFailure(error)
        }
        return true
    }

    /// Owes an error answer, after which the connection closes; nothing more is parsed.
    private mutating func queueFailure(_ error: HTTPParseError) {
        parsingStopped = true
        _ = answers.owe(Exchange(kind: .failure(error)))
    }

    /// Enters a phase, restarting its timer; draining closes a connection that has become idle.
    private mutating func enter(_ newPhase: ConnectionPhase, nowMs: Int) {
        guard newPhase != phase else { return }
        phase = newPhase
        phaseStartMs = nowMs
        if isDraining && (phase == .fresh || phase == .idle) { mustClose = true }
    }

    // MARK: Actions

    /// Returns what the shell should do next; call it after every event until it returns `.wait`.
    ///
    /// In order: close if decided; dispatch the next request that may be parsed; queue the answers
    /// now due, in request order; send them; then, with nothing left to do, close when that is
    /// due, else settle the phase and what the socket is watched for.
    mutating func nextAction(at now: ConnectionMoment) -> ConnectionAction {
        if phase == .closed { return .wait }
        if mustClose { return closeNow() }
        if phase == .lingering { return watch(.readableOnly) }
        if let dispatch = parseNext(at: now) { return dispatch }
        if let report = serializeDueAnswers(at: now) { return report }
        if answers.unsentByteCount > 0 {
            if !socketFull { return .write }
        } else {
            answers.resetSentOutput()
            if peerClosed && answers.count == 0 && parserNeedsBytes { return closeNow() }
            if closeAfterOutput { return lingerBeforeClose ? startLingering(nowMs: now.ms) : closeNow() }
        }
        enter(currentPhase, nowMs: now.ms)
        if mustClose { return closeNow() }
        return watch(ConnectionInterest(readable: mayParse && !peerClosed, writable: answers.unsentByteCount > 0))
    }

    private mutating func parseNext(at now: ConnectionMoment) -> ConnectionAction? {
        while mayParse && !parserNeedsBytes {
            let event: HTTPParserEvent?
            do {
                event = try parser.next()
            } catch {
                queueFailure(error)
                return nil
            }
            switch event {
            case nil:
                parserNeedsBytes = true
            case .continueExpected:
                _ = answers.owe(Exchange(kind: .interimContinue))
            case .request(let request, let keepAlive):
                return dispatch(request, keepAlive: keepAlive, at: now)
            }
        }
        return nil
    }

    private mutating func dispatch(_ request: HTTPRequest, keepAlive: Bool, at now: ConnectionMoment) -> ConnectionAction {
        var request = request
        request.remoteAddress = remoteAddress
        request.receivedAtNs = now.ns
        let info = Exchange.RequestInfo(
            method: request.method, path: request.path, isHead: request.method == "HEAD",
            isHTTP10: request.version == .http1_0, keepAlive: keepAlive, startNs: now.ns,
            bodyBytes: request.body.count)
        // After a request that closes the connection, whatever else the client sent is not read.
        if !keepAlive { parsingStopped = true }
        return .dispatch(request, sequence: answers.owe(Exchange(kind: .request(info))))
    }

    /// Moves the ready answers at the front into the output, in request order, one report at a time.
    private mutating func serializeDueAnswers(at now: ConnectionMoment) -> ConnectionAction? {
        while !closeAfterOutput, let exchange = answers.takeReady() {
            let closes = closesConnection(exchange)
            if closes { closeAfterOutput = true }
            let bodyBytes = answers.serialize(exchange, date: now.date, closing: closes)
            if case .request = exchange.kind { answeredRequests += 1 }
            if reportsExchanges,
                let summary = exchange.summary(responseBodyBytes: bodyBytes, nowNs: now.ns, remoteAddress: remoteAddress)
            {
                return .report(summary)
            }
        }
        // Answers after one that closes the connection are never sent.
        answers.compact(droppingRest: closeAfterOutput)
        return nil
    }

    /// Whether the connection closes once this answer is written.
    private mutating func closesConnection(_ exchange: Exchange) -> Bool {
        switch exchange.kind {
        case .interimContinue:
            return false
        case .failure:
            lingerBeforeClose = true
            return true
        case .request(let info):
            return !info.keepAlive || isDraining || exchange.response.map(ResponseSerializer.asksToClose) == true
        }
    }

    /// The phase the buffers and the parser are in now.
    private var currentPhase: ConnectionPhase {
        if answers.count > 0 || answers.unsentByteCount > 0 { return .busy }
        if parser.isIdle { return answeredRequests == 0 ? .fresh : .idle }
        return parser.isReadingBody ? .body : .head
    }

    /// Half-closes after an error answer and reads until the client closes too.
    ///
    /// Closing a socket with unread input makes the kernel send a reset, which can destroy the
    /// answer (a 413 to a client still uploading, say) before the client reads it. Ordinary
    /// closes skip this: the client asked for them or is idle, so no input is pending.
    private mutating func startLingering(nowMs: Int) -> ConnectionAction {
        enter(.lingering, nowMs: nowMs)
        return .halfClose
    }

    private mutating func closeNow() -> ConnectionAction {
        phase = .closed
        return .close
    }

    private mutating func watch(_ interest: ConnectionInterest) -> ConnectionAction {
        guard interest != watching else { return .wait }
        watching = interest
        return .watch(interest)
    }
}
