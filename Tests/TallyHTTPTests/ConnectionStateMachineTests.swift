// Proves the connection state machine on its own, with no socket and no sleep: pipelined answers
// go out in request order whatever order handlers finish in, the pipeline and unsent-output limits
// hold parsing back and let it resume, partial and blocked writes, end of input mid-request and
// after a pipeline, protocol failures answered with their problem and then a lingering close,
// Connection: close, 100-continue, draining around a request in flight, and the idle, header and
// linger timeouts measured on a clock the test moves.
@testable import TallyHTTP
import Testing

@Suite struct ConnectionStateMachineTests {
    private static func get(_ path: String, _ extra: String = "") -> String {
        "GET \(path) HTTP/1.1\r\nHost: a\r\n\(extra)\r\n"
    }

    @Test func answersPipelinedRequestsInRequestOrder() {
        var driver = MachineDriver()
        #expect(driver.receive(Self.get("/1") + Self.get("/2") + Self.get("/3")) == ["dispatch /1", "dispatch /2", "dispatch /3"])
        #expect(driver.dispatched.map(\.sequence) == [0, 1, 2])
        // The last handler finishes first: its answer waits for the two before it.
        #expect(driver.answer(2, "three") == [])
        #expect(driver.answer(0, "one") == ["report 200", "write"])
        #expect(driver.answer(1, "two") == ["report 200", "report 200", "write"])
        #expect(driver.responses.map(\.body) == ["one", "two", "three"])
        #expect(driver.machine.phase == .idle)
    }

    @Test func stampsRequestsWithThePassedInTimeAndPeer() {
        var driver = MachineDriver()
        driver.nowMs = 5
        _ = driver.receive(Self.get("/1"))
        driver.nowMs = 12
        _ = driver.answer(0, "one")
        #expect(driver.dispatched[0].request.receivedAtNs == 5_000_000)
        #expect(driver.dispatched[0].request.remoteAddress == "10.0.0.1:4000")
        #expect(driver.reports.map(\.durationNs) == [7_000_000])
    }

    @Test func pausesAtThePipelineLimitAndResumesAsAnswersGo() {
        var driver = MachineDriver(limits: HTTPLimits(maxPipelinedRequests: 2))
        #expect(driver.receive(Self.get("/1") + Self.get("/2") + Self.get("/3")) == ["dispatch /1", "dispatch /2", "watch --"])
        #expect(driver.answer(0, "one") == ["report 200", "write", "dispatch /3"])
        #expect(driver.answer(1, "two") == ["report 200", "write", "watch r-"])
        #expect(driver.answer(2, "three") == ["report 200", "write"])
        #expect(driver.responses.map(\.body) == ["one", "two", "three"])
    }

    @Test func finishesAPartialWriteWithFurtherSends() {
        var driver = MachineDriver()
        driver.bytesPerSend = 10
        _ = driver.receive(Self.get("/1"))
        let log = driver.answer(0, String(repeating: "x", count: 95))
        #expect(log.first == "report 200")
        #expect(log.dropFirst().allSatisfy { $0 == "write" } && log.count > 10)
        #expect(driver.responses.map(\.body) == [String(repeating: "x", count: 95)])
    }

    @Test func waitsForWritableWhenTheSocketIsFull() {
        var driver = MachineDriver()
        driver.socketFull = true
        _ = driver.receive(Self.get("/1"))
        #expect(driver.answer(0, "one") == ["report 200", "write blocked", "watch rw"])
        #expect(driver.becomeWritable() == ["write", "watch r-"])
        #expect(driver.responses.map(\.body) == ["one"])
    }

    @Test func holdsParsingBehindALargeUnsentAnswer() {
        var driver = MachineDriver()
        driver.socketFull = true
        _ = driver.receive(Self.get("/big"))
        #expect(driver.answer(0, String(repeating: "x", count: 2 << 20)) == ["report 200", "write blocked", "watch -w"])
        // Bytes already read wait in the parser; only drained output lets them run.
        #expect(driver.receive(Self.get("/2")) == [])
        #expect(driver.becomeWritable() == ["write", "dispatch /2", "watch r-"])
    }

    @Test func closesAClientThatStopsReadingItsAnswers() {
        var driver = MachineDriver(limits: HTTPLimits(idleTimeoutMs: 1_000))
        driver.socketFull = true
        _ = driver.receive(Self.get("/1"))
        _ = driver.answer(0, "one")
        #expect(driver.sweep(atMs: 1_000) == [])
        #expect(driver.sweep(atMs: 1_001) == ["close"])
    }

    @Test func closesWithoutAnAnswerWhenInputEndsMidRequest() {
        var driver = MachineDriver()
        #expect(driver.receive("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part") == [])
        #expect(driver.machine.phase == .body)
        #expect(driver.receiveEOF() == ["close"])
        #expect(driver.dispatched.isEmpty && driver.sent.isEmpty)
    }

    @Test func answersWhatWasSentBeforeTheClientHalfCloses() {
        var driver = MachineDriver()
        _ = driver.receive(Self.get("/1") + Self.get("/2"))
        #expect(driver.receiveEOF() == ["watch --"])
        #expect(!driver.machine.wantsInput)
        #expect(driver.answer(0, "one") == ["report 200", "write"])
        #expect(driver.answer(1, "two") == ["report 200", "write", "close"])
        #expect(driver.responses.map(\.body) == ["one", "two"])
    }

    @Test func answersOversizeHeadersWithTheirProblemThenLingersAndCloses() throws {
        var driver = MachineDriver(limits: HTTPLimits(maxHeaderBytes: 100))
        let log = driver.receive("GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "a", count: 200))\r\n\r\n")
        #expect(log == ["report 431", "write", "halfClose"])
        let response = try #require(driver.responses.first)
        #expect(response.status == 431)
        #expect(response.header("Connection") == "close")
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(driver.reports.first?.method == "")
        // Lingering: input is read and dropped until the client closes.
        #expect(driver.machine.wantsInput)
        #expect(driver.receive("more of the upload") == [])
        #expect(driver.receiveEOF() == ["close"])
    }

    @Test func stopsLingeringAfterItsTimeoutOrTooMuchInput() {
        var timedOut = MachineDriver(limits: HTTPLimits(maxBodyBytes: 10))
        #expect(timedOut.receive("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 50\r\n\r\n") == ["report 413", "write", "halfClose"])
        #expect(timedOut.sweep(atMs: ConnectionPhase.lingerTimeoutMs) == [])
        #expect(timedOut.sweep(atMs: ConnectionPhase.lingerTimeoutMs + 1) == ["close"])

        var flooded = MachineDriver(limits: HTTPLimits(maxBodyBytes: 10))
        _ = flooded.receive("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 50\r\n\r\n")
        #expect(flooded.receive(String(repeating: "x", count: ConnectionStateMachine.maxLingerBytes)) == [])
        #expect(flooded.receive("x") == ["close"])
    }

    @Test func stopsReadingAfterARequestThatClosesTheConnection() {
        var driver = MachineDriver()
        #expect(driver.receive(Self.get("/1", "Connection: close\r\n") + Self.get("/2")) == ["dispatch /1", "watch --"])
        #expect(!driver.machine.wantsInput)
        #expect(driver.answer(0, "one") == ["report 200", "write", "close"])
        #expect(driver.responses.first?.header("Connection") == "close")
    }

    @Test func sendsContinueBeforeTheBody() {
        var driver = MachineDriver()
        #expect(driver.receive("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n") == ["write"])
        #expect(driver.responses.map(\.status) == [100])
        #expect(driver.receive("hello") == ["dispatch /up"])
        #expect(driver.dispatched.first?.request.body == Array("hello".utf8))
    }

    @Test func drainWaitsForTheAnswerInFlightThenCloses() {
        var driver = MachineDriver()
        _ = driver.receive(Self.get("/1"))
        #expect(driver.shutdown() == [])
        #expect(driver.answer(0, "one") == ["report 200", "write", "close"])
        #expect(driver.responses.first?.header("Connection") == "close")
    }

    @Test func drainClosesAnIdleConnectionAtOnce() {
        var fresh = MachineDriver()
        #expect(fresh.shutdown() == ["close"])

        var idle = MachineDriver()
        _ = idle.receive(Self.get("/1"))
        _ = idle.answer(0, "one")
        #expect(idle.shutdown() == ["close"])
        #expect(idle.responses.first?.header("Connection") == nil)
    }

    @Test func closesAnIdleKeepAliveConnectionSilentlyAfterItsTimeout() {
        var driver = MachineDriver(limits: HTTPLimits(idleTimeoutMs: 1_000))
        _ = driver.receive(Self.get("/1"))
        driver.nowMs = 500
        _ = driver.answer(0, "one")
        let sentBytes = driver.sent.count
        #expect(driver.sweep(atMs: 1_500) == [])
        #expect(driver.sweep(atMs: 1_501) == ["close"])
        #expect(driver.sent.count == sentBytes)
    }

    @Test func answers408WhenHeadersTrickleInTooSlowly() {
        var driver = MachineDriver(limits: HTTPLimits(headerTimeoutMs: 300))
        #expect(driver.receive("GET / HTTP/1.1\r\n") == [])
        #expect(driver.machine.phase == .head)
        // Each line arrives in time on its own, but the timeout counts from the first byte.
        for (ms, line) in [(100, "Host: a\r\n"), (200, "X-A: 1\r\n"), (300, "X-B: 2\r\n")] {
            #expect(driver.sweep(atMs: ms) == [])
            #expect(driver.receive(line) == [])
        }
        #expect(driver.sweep(atMs: 301) == ["report 408", "write", "halfClose"])
        #expect(driver.responses.map(\.status) == [408])
    }

    @Test func closesAConnectionThatNeverSendsAByte() {
        var driver = MachineDriver(limits: HTTPLimits(headerTimeoutMs: 300))
        #expect(driver.sweep(atMs: 301) == ["close"])
        #expect(driver.sent.isEmpty)
    }
}
