// A fixture for the state-machine tests: it runs a ConnectionStateMachine's actions the way the
// socket shell does, against a pretend socket, and logs each action as a short word to assert on.
@testable import TallyHTTP
import Testing
import TallyTesting

/// Drives one machine with events and a test-controlled clock and socket; no file descriptor.
struct MachineDriver {
    var machine: ConnectionStateMachine
    var nowMs = 0
    /// Requests dispatched so far, with the sequence numbers they are answered by.
    var dispatched: [(sequence: Int, request: HTTPRequest)] = []
    /// Every byte the pretend socket took.
    var sent: [UInt8] = []
    /// The most bytes one send takes, so tests can make writes partial.
    var bytesPerSend = Int.max
    /// Whether sends find the socket full.
    var socketFull = false
    var reports: [HTTPExchangeSummary] = []
    var watching = ConnectionInterest.readableOnly

    init(limits: HTTPLimits = HTTPLimits()) {
        machine = ConnectionStateMachine(limits: limits, remoteAddress: "10.0.0.1:4000", reportsExchanges: true, nowMs: 0)
    }

    /// Delivers bytes as one read, then runs the actions they cause.
    mutating func receive(_ text: String) -> [String] {
        Array(text.utf8).withUnsafeBytes { machine.bytesReceived($0) }
        return run()
    }

    /// Delivers the end of the client's input, then runs the actions it causes.
    mutating func receiveEOF() -> [String] {
        machine.readEOF()
        return run()
    }

    /// Answers the request dispatched with `sequence`, then runs the actions the answer causes.
    mutating func answer(_ sequence: Int, status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), _ text: String)
        -> [String]
    {
        machine.responseReady(sequence: sequence, response: HTTPResponse(status: status, headers: headers, text: text))
        return run()
    }

    /// Reports the socket writable again, then runs the actions that causes.
    mutating func becomeWritable() -> [String] {
        socketFull = false
        machine.writable()
        return run()
    }

    /// Moves the clock to `ms` and applies the timeouts, as the loop's sweep does.
    mutating func sweep(atMs ms: Int) -> [String] {
        nowMs = ms
        return machine.timeout(nowMs: ms) ? run() : []
    }

    /// Asks the connection to drain, as a server shutdown does.
    mutating func shutdown() -> [String] {
        machine.shutdownRequested()
        return run()
    }

    /// Runs actions until the machine waits, logging each one; `.write` sends to the pretend socket.
    mutating func run() -> [String] {
        let now = ConnectionMoment(
            ms: nowMs, ns: UInt64(nowMs) * 1_000_000, date: Array("Thu, 01 Jan 1970 00:00:00 GMT".utf8))
        var log: [String] = []
        for _ in 0..<10_000 {
            switch machine.nextAction(at: now) {
            case .dispatch(let request, let sequence):
                dispatched.append((sequence, request))
                log.append("dispatch \(request.path)")
            case .report(let summary):
                reports.append(summary)
                log.append("report \(summary.status)")
            case .write:
                log.append(send())
            case .watch(let interest):
                watching = interest
                log.append("watch " + (interest.readable ? "r" : "-") + (interest.writable ? "w" : "-"))
            case .halfClose:
                log.append("halfClose")
            case .close:
                log.append("close")
            case .wait:
                return log
            }
        }
        Issue.record("the machine never said wait")
        return log
    }

    private mutating func send() -> String {
        guard !socketFull else {
            machine.writeBlocked()
            return "write blocked"
        }
        let taken = machine.withUnsentOutput { Array($0.prefix(bytesPerSend)) }
        sent += taken
        machine.writeCompleted(byteCount: taken.count, nowMs: nowMs)
        return "write"
    }

    /// The complete responses in what was sent, in order.
    var responses: [WireResponse] {
        var rest = sent
        var parsed: [WireResponse] = []
        while let (response, used) = WireResponse.parse(rest) {
            parsed.append(response)
            rest.removeFirst(used)
        }
        return parsed
    }
}
