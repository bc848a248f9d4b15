// Proves the size and time limits: oversize headers (431) and bodies (413), slowloris headers
// (408 then close), idle keep-alive close, and the connection cap (503 then close).
import Testing
import TallyHTTP

@Suite struct LimitTests {
    @Test func refusesOversizeHeaders() async throws {
        try await withServer { _, port in
            let client = try RawClient(port: port)
            client.send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "a", count: 17_000))\r\n\r\n")
            #expect(await client.readResponse()?.status == 431)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func refusesOversizeBody() async throws {
        try await withServer { _, port in
            let client = try RawClient(port: port)
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
            let client = try RawClient(port: port)
            // The server refuses after the headers, then drains the body it refused before closing.
            client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 600000\r\n\r\n")
            client.send([UInt8](repeating: 120, count: 600_000))
            #expect(await client.readResponse()?.status == 413)
        }
    }

    @Test func answers408ToSlowlorisHeaders() async throws {
        try await withServer(limits: HTTPLimits(headerTimeoutMs: 300)) { _, port in
            let client = try RawClient(port: port)
            for part in ["GET / HTTP/1.1\r\n", "Host: a\r\n", "X-A: 1\r\n", "X-B: 2\r\n", "X-C: 3\r\n"] {
                client.send(part)
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await client.readResponse()?.status == 408)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func answers408ToSlowBody() async throws {
        try await withServer(limits: HTTPLimits(bodyTimeoutMs: 200)) { _, port in
            let client = try RawClient(port: port)
            client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
            #expect(await client.readResponse()?.status == 408)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func closesIdleKeepAliveConnectionSilently() async throws {
        try await withServer(limits: HTTPLimits(idleTimeoutMs: 200)) { _, port in
            let client = try RawClient(port: port)
            client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(await client.readResponse()?.status == 200)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func refusesConnectionsOverTheCap() async throws {
        try await withServer(maxConnections: 2, eventLoopCount: 1) { server, port in
            let first = try RawClient(port: port)
            let second = try RawClient(port: port)
            first.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            second.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(await first.readResponse()?.status == 200)
            #expect(await second.readResponse()?.status == 200)
            let third = try RawClient(port: port)
            #expect(await third.readResponse()?.status == 503)
            #expect(await third.isClosedByServer())
            #expect(server.openConnectionCount == 2)
            // The first two still work.
            first.send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(await first.readResponse()?.body == "GET /again - ")
        }
    }
}
