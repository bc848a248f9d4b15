// Proves that requests reach the handler with the right method, path, query and body, over
// keep-alive connections, and that HEAD, absolute-form targets, 100-continue and the observer work.
import Synchronization
import Testing
import TallyHTTP
import TallyTesting

@Suite struct RoutingTests {
    @Test func routesMethodPathQueryAndBody() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("POST /v1/authorize?wallet=7&x=%20 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
            let response = try #require(await client.readResponse())
            #expect(response.status == 200)
            #expect(response.body == "POST /v1/authorize wallet=7&x=%20 hello")
            #expect(response.header("Server") == "tally")
            #expect(response.header("Date") != nil)
            #expect(response.header("Content-Length") == "\(response.body.utf8.count)")
        }
    }

    @Test func keepsConnectionAliveAcrossRequests() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            for index in 0..<5 {
                client.send("GET /item/\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
                let response = try #require(await client.readResponse())
                #expect(response.body == "GET /item/\(index) - ")
                #expect(response.header("Connection") == nil)
            }
        }
    }

    @Test func honoursConnectionClose() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
            let responses = await client.readResponses(2)
            #expect(responses.count == 1)
            #expect(responses.first?.header("Connection") == "close")
            #expect(await client.isClosedByServer())
        }
    }

    @Test func closesHTTP10UnlessKeepAliveAsked() async throws {
        try await withServer { _, port in
            let closing = try LoopbackConnection(port: port)
            closing.send("GET /a HTTP/1.0\r\n\r\n")
            #expect(await closing.readResponse()?.status == 200)
            #expect(await closing.isClosedByServer())

            let keeping = try LoopbackConnection(port: port)
            keeping.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(await keeping.readResponse()?.header("Connection") == "keep-alive")
            keeping.send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(await keeping.readResponse()?.body == "GET /b - ")
        }
    }

    @Test func answersHeadWithLengthButNoBody() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("HEAD /thing HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n")
            var received: [UInt8] = []
            while !String(decoding: received, as: UTF8.self).hasSuffix("GET /next - "), let chunk = await client.readChunk() {
                received += chunk
            }
            let answers = String(decoding: received, as: UTF8.self).split(separator: "\r\n\r\n", omittingEmptySubsequences: false)
            #expect(answers.count == 3)
            #expect(answers[0].contains("Content-Length: \("HEAD /thing - ".utf8.count)"))
            // The HEAD answer has no body, so its blank line is followed at once by the next status line.
            #expect(answers[1].hasPrefix("HTTP/1.1 200 OK\r\n"))
        }
    }

    @Test func acceptsAbsoluteFormTarget() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("GET http://example.com/v1/balance?id=3 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            #expect(await client.readResponse()?.body == "GET /v1/balance id=3 ")
        }
    }

    @Test func sendsContinueBeforeAwaitedBody() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            let interim = try #require(await client.readResponse())
            #expect(interim.status == 100)
            client.send("data")
            #expect(await client.readResponse()?.body == "POST /up - data")
        }
    }

    @Test func refusesUnknownExpectation() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: something\r\n\r\n")
            #expect(await client.readResponse()?.status == 417)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func reportsEachExchangeToObserver() async throws {
        let seen = Mutex<[String]>([])
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 1)
        let server = HTTPServer(
            configuration: configuration,
            inlineHandler: { request in request.path == "/fast" ? HTTPResponse(status: 204) : nil },
            observer: { summary in
                let peer = summary.remoteAddress.hasPrefix("127.0.0.1:") ? "local" : summary.remoteAddress
                seen.withLock { $0.append("\(summary.method) \(summary.path) \(summary.status) \(peer)") }
            },
            handler: echoHandler)
        let port = try server.start()
        let client = try LoopbackConnection(port: port)
        client.send("GET /fast HTTP/1.1\r\nHost: a\r\n\r\nGET /slowish HTTP/1.1\r\nHost: a\r\n\r\n")
        let responses = await client.readResponses(2)
        await server.shutdown()
        #expect(responses.map(\.status) == [204, 200])
        #expect(seen.withLock { $0 } == ["GET /fast 204 local", "GET /slowish 200 local"])
    }
}
