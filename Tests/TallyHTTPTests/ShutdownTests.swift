// Proves that graceful shutdown finishes an in-flight slow request before returning, and that a
// client vanishing mid-body neither crashes the server nor leaks its connection.
import Testing
import TallyHTTP

@Suite struct ShutdownTests {
    @Test func shutdownFinishesInFlightRequest() async throws {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 2)
        let server = HTTPServer(configuration: configuration, handler: echoHandler)
        let port = try server.start()
        let busy = try RawClient(port: port)
        let idle = try RawClient(port: port)
        idle.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(await idle.readResponse()?.status == 200)
        busy.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
        try await Task.sleep(for: .milliseconds(50))
        await server.shutdown()
        let response = try #require(await busy.readResponse())
        #expect(response.body == "GET /slow - ")
        #expect(response.header("Connection") == "close")
        #expect(await idle.isClosedByServer())
        #expect(server.openConnectionCount == 0)
        #expect(throws: ClientError.self) { try RawClient(port: port) }
    }

    @Test func survivesClientClosingMidBody() async throws {
        try await withServer(eventLoopCount: 1) { server, port in
            for _ in 0..<5 {
                let leaving = try RawClient(port: port)
                leaving.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part")
                leaving.close()
            }
            let client = try RawClient(port: port)
            client.send("GET /still HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(await client.readResponse()?.body == "GET /still - ")
            var waitedMs = 0
            while server.openConnectionCount > 1 && waitedMs < 2_000 {
                try await Task.sleep(for: .milliseconds(10))
                waitedMs += 10
            }
            #expect(server.openConnectionCount == 1)
        }
    }
}
