// Proves that graceful shutdown finishes an in-flight request before returning, and that a
// client vanishing mid-body neither crashes the server nor leaks its connection.
import Testing
import TallyHTTP
import TallyTesting

@Suite struct ShutdownTests {
    @Test func shutdownFinishesInFlightRequest() async throws {
        // The gated answer waits for a gate opened only once the drain has visibly begun, so the
        // test does not depend on how quickly the shutdown call itself gets to run.
        let gate = Latch()
        let started = Latch()
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 2)
        let server = HTTPServer(configuration: configuration) { request in
            if request.path == "/gated" {
                started.arrive()
                await gate.wait()
            }
            return await echoHandler(request)
        }
        let port = try server.start()
        // Generous read timeouts: under the whole suite's load on two cores this test has been
        // starved for over ten seconds, and a timeout there is not what it checks.
        let busy = try LoopbackConnection(port: port, timeoutMs: 30_000)
        let idle = try LoopbackConnection(port: port, timeoutMs: 30_000)
        idle.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(await idle.readResponse()?.status == 200)
        busy.send("GET /gated HTTP/1.1\r\nHost: a\r\n\r\n")
        // In flight means its handler runs: a connection with nothing read yet is rightly closed.
        await started.wait()
        async let shutdown: Void = server.shutdown()
        #expect(await idle.isClosedByServer())
        gate.arrive()
        let response = try #require(await busy.readResponse())
        await shutdown
        #expect(response.body == "GET /gated - ")
        #expect(response.header("Connection") == "close")
        #expect(server.openConnectionCount == 0)
        #expect(throws: LoopbackClientError.self) { try LoopbackConnection(port: port) }
    }

    @Test func survivesClientClosingMidBody() async throws {
        try await withServer(eventLoopCount: 1) { server, port in
            for _ in 0..<5 {
                let leaving = try LoopbackConnection(port: port)
                leaving.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part")
                leaving.close()
            }
            let client = try LoopbackConnection(port: port)
            client.send("GET /still HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(await client.readResponse()?.body == "GET /still - ")
            await server.waitForOpenConnections(atMost: 1)
            #expect(server.openConnectionCount == 1)
        }
    }
}
