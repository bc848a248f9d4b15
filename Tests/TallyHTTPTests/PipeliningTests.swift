// Proves that pipelined requests are answered strictly in order, even when an early handler is
// slow, that a slow handler does not stop the loop from serving other connections, and that every
// request of one write is answered however far it runs past the pipeline limit: answered inline,
// behind a large answer, or sent just before the client half-closes.
import Testing
import TallyHTTP
import TallyTesting

@Suite struct PipeliningTests {
    @Test func answersThreePipelinedRequestsInOrder() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send(
                "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /3 HTTP/1.1\r\nHost: a\r\n\r\n")
            let responses = await client.readResponses(3)
            #expect(responses.map(\.body) == ["GET /1 - ", "POST /2 - hi", "GET /3 - "])
        }
    }

    @Test func keepsOrderWhenFirstHandlerIsSlow() async throws {
        // The first handler answers only once the two after it have.
        let gate = Latch()
        let laterAnswered = Latch(count: 2)
        let handler: HTTPHandler = { request in
            if request.path == "/slow" { await gate.wait() }
            defer { if request.path != "/slow" { laterAnswered.arrive() } }
            return await echoHandler(request)
        }
        try await withServer(handler: handler) { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n")
            await laterAnswered.wait()
            gate.arrive()
            let responses = await client.readResponses(3)
            #expect(responses.map(\.body) == ["GET /slow - ", "GET /2 - ", "GET /3 - "])
        }
    }

    @Test func slowHandlerDoesNotBlockOtherConnections() async throws {
        let gate = Latch()
        try await withServer(eventLoopCount: 1, handler: gatedEchoHandler(gate)) { _, port in
            let slow = try LoopbackConnection(port: port)
            slow.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
            let quick = try LoopbackConnection(port: port)
            quick.send("GET /quick HTTP/1.1\r\nHost: a\r\n\r\n")
            // The quick answer arrives while the slow one is still held on the same loop.
            #expect(await quick.readResponse()?.body == "GET /quick - ")
            gate.arrive()
            #expect(await slow.readResponse()?.body == "GET /slow - ")
        }
    }

    @Test func pausesAndResumesBeyondThePipelineLimit() async throws {
        try await withServer(limits: HTTPLimits(maxPipelinedRequests: 4)) { _, port in
            let client = try LoopbackConnection(port: port)
            client.send((0..<20).map { "GET /\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }.joined())
            let responses = await client.readResponses(20)
            #expect(responses.map(\.body) == (0..<20).map { "GET /\($0) - " })
        }
    }

    /// Inline answers are all ready at once, so nothing but the freed slots can restart parsing.
    @Test(arguments: [17, 100, 1_000], [true, false])
    func answersEveryRequestOfOneWrite(count: Int, inline: Bool) async throws {
        try await withServer(inlineHandler: inline ? inlineEchoHandler : nil) { _, port in
            let client = try LoopbackConnection(port: port)
            client.send((0..<count).map { "GET /\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }.joined())
            let responses = await client.readResponses(count)
            let expected = (0..<count).map { inline ? "inline /\($0)" : "GET /\($0) - " }
            #expect(responses.map(\.body) == expected)
        }
    }

    /// A large answer holds parsing back until the client reads it; then the rest must still run.
    @Test func answersSmallRequestsQueuedBehindALargeAnswer() async throws {
        let size = 3 << 20
        let handler: HTTPHandler = { request in
            request.path == "/big" ? HTTPResponse(status: 200, body: [UInt8](repeating: 65, count: size)) : await echoHandler(request)
        }
        try await withServer(inlineHandler: { $0.path == "/big" ? nil : inlineEchoHandler($0) }, handler: handler) { _, port in
            let client = try LoopbackConnection(port: port)
            let small = (0..<16).map { "GET /\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }
            client.send((["GET /big HTTP/1.1\r\nHost: a\r\n\r\n"] + small).joined())
            let responses = await client.readResponses(17)
            #expect(responses.first?.body.utf8.count == size)
            #expect(responses.dropFirst().map(\.body) == (0..<16).map { "inline /\($0)" })
        }
    }

    /// The end of the client's input stops reading, not the parsing of what was read before it.
    @Test func answersRequestsSentBeforeTheClientHalfCloses() async throws {
        let gate = Latch()
        try await withServer(handler: gatedEchoHandler(gate)) { _, port in
            let client = try LoopbackConnection(port: port)
            let rest = (1..<100).map { "GET /\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }
            client.send((["GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"] + rest).joined())
            client.finishSending()
            // No answer can exist before the end of input is on its way: the first is held until now.
            gate.arrive()
            let responses = await client.readResponses(100)
            #expect(responses.map(\.body) == ["GET /slow - "] + (1..<100).map { "GET /\($0) - " })
            #expect(await client.isClosedByServer())
        }
    }

    @Test func writesLargeResponsesThatNeedSeveralSends() async throws {
        let size = 3 << 20
        try await withServer(handler: { _ in HTTPResponse(status: 200, body: [UInt8](repeating: 65, count: size)) }) {
            _, port in
            let client = try LoopbackConnection(port: port)
            client.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\nGET /big HTTP/1.1\r\nHost: a\r\n\r\n")
            let responses = await client.readResponses(2)
            #expect(responses.map(\.body.utf8.count) == [size, size])
        }
    }
}
