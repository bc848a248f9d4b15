/// What a connection's socket shell does next, as its state machine decided.
///
/// The machine hands these out one at a time (`nextAction(at:)`) rather than as a list per event,
/// so a read that completes several pipelined requests costs no array allocation.
enum ConnectionAction {
    /// Run a handler for this request and feed its answer back with `responseReady(sequence:response:)`.
    case dispatch(HTTPRequest, sequence: Int)
    /// Tell the observer about an answer just queued for writing.
    case report(HTTPExchangeSummary)
    /// Send the machine's unsent output, then tell it with `writeCompleted` or `writeBlocked`.
    case write
    /// Watch the socket for these events from now on.
    case watch(ConnectionInterest)
    /// Shut down the sending side and keep discarding input, so the client can read the last answer.
    case halfClose
    /// Close the socket; the machine does nothing more.
    case close
    /// Nothing to do until the next event.
    case wait
}

/// Which socket readiness a connection wants to hear about.
struct ConnectionInterest: Equatable {
    var readable: Bool
    var writable: Bool

    /// Readable only: what a new connection and a lingering one watch.
    static let readableOnly = ConnectionInterest(readable: true, writable: false)
}

/// The loop's reading of the time, handed to the machine so it never reads a clock itself.
struct ConnectionMoment {
    /// Monotonic milliseconds, which timeouts are measured in.
    var ms: Int
    /// Monotonic nanoseconds, stamped on requests and used for exchange durations.
    var ns: UInt64
    /// The Date header value for answers serialized now.
    var date: [UInt8]
}
