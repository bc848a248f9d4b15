// Proves the size and time limits: oversize headers (431) and bodies (413), slowloris headers
// (408 then close, and hundreds of them at once do not keep a normal client from being served),
// idle keep-alive close, and the connection cap (503 then close, existing connections keep
// working, and closed ones make room for new ones).
import Testing
import TallyHTTP
import TallyTesting

@Suite struct LimitTests {
    @Test func refusesOversizeHeaders() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "a", count: 17_000))\r\n\r\n")
            #expect(await client.readResponse()?.status == 431)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func refusesOversizeBody() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n")
            let response = await client.readResponse()
            #expect(response?.status == 413)
            // Failures the HTTP layer answers itself have the API's problem shape and a stable code.
            #expect(response?.header("Content-Type") == "application/problem+json")
            #expect(response?.body.contains("\"code\":\"body_too_large\"") == true)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func oversizeAnswerSurvivesTheRestOfTheUpload() async throws {
        try await withServer(limits: HTTPLimits(maxBodyBytes: 1_000)) { _, port in
            let client = try LoopbackConnection(port: port)
            // The server refuses after the headers, then drains the body it refused before closing.
            client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 600000\r\n\r\n")
            client.send([UInt8](repeating: 120, count: 600_000))
            #expect(await client.readResponse()?.status == 413)
        }
    }

    /// That trickling bytes do not restart the clock is the state machine's to prove
    /// (ConnectionStateMachineTests); this checks the loop's sweep applies the timeout.
    @Test func answers408ToHeadersThatNeverEnd() async throws {
        try await withServer(limits: HTTPLimits(headerTimeoutMs: 300)) { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n")
            #expect(await client.readResponse()?.status == 408)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func servesOthersWhileHundredsOfConnectionsTrickleHeaders() async throws {
        try await withServer(limits: HTTPLimits(headerTimeoutMs: 2_000)) { _, port in
            // Generous read timeouts: the full suite on two cores can starve a test for seconds,
            // and how fast answers come is not what this checks.
            let tricklers = try (0..<300).map { _ in try LoopbackConnection(port: port, timeoutMs: 30_000) }
            for trickler in tricklers { trickler.send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ") }
            let normal = try LoopbackConnection(port: port, timeoutMs: 30_000)
            var answered = 0
            for round in 0..<30 {
                // One more byte of every trickling head between two requests of the normal client.
                for trickler in tricklers { trickler.send("a") }
                normal.send("GET /\(round) HTTP/1.1\r\nHost: a\r\n\r\n")
                if await normal.readResponse()?.body == "GET /\(round) - " { answered += 1 }
            }
            #expect(answered == 30)
            for trickler in tricklers {
                #expect(await trickler.readResponse()?.status == 408)
                #expect(await trickler.isClosedByServer())
            }
        }
    }

    @Test func answers408ToSlowBody() async throws {
        try await withServer(limits: HTTPLimits(bodyTimeoutMs: 200)) { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
            #expect(await client.readResponse()?.status == 408)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func closesIdleKeepAliveConnectionSilently() async throws {
        try await withServer(limits: HTTPLimits(idleTimeoutMs: 200)) { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(await client.readResponse()?.status == 200)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func refusesConnectionsOverTheCapAndAcceptsAgainOnceSomeClose() async throws {
        // Small on purpose: at 20 open and 200 refused, the whole suite's load on two cores left
        // this test waiting out read timeouts by the hundred.
        try await withServer(maxConnections: 4, eventLoopCount: 1) { server, port in
            let open = try (0..<4).map { _ in try LoopbackConnection(port: port, timeoutMs: 30_000) }
            for (index, client) in open.enumerated() {
                client.send("GET /\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(await client.readResponse()?.status == 200)
            }
            for _ in 0..<10 {
                let refused = try LoopbackConnection(port: port, timeoutMs: 30_000)
                let response = await refused.readResponse()
                #expect(response?.status == 503)
                #expect(response?.body.contains("\"code\":\"too_many_connections\"") == true)
                #expect(await refused.isClosedByServer())
            }
            // A refused connection is counted until the loop has closed it, just after the client saw the close.
            await server.waitForOpenConnections(atMost: 4)
            #expect(server.openConnectionCount == 4)
            for client in open {
                client.send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(await client.readResponse()?.body == "GET /again - ")
            }
            for client in open[..<2] { client.close() }
            await server.waitForOpenConnections(atMost: 2)
            #expect(server.openConnectionCount == 2)
            let newcomers = try (0..<2).map { _ in try LoopbackConnection(port: port, timeoutMs: 30_000) }
            for client in newcomers + open[2...] {
                client.send("GET /new HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(await client.readResponse()?.body == "GET /new - ")
            }
        }
    }
}
