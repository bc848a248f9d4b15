// Proves that malformed and smuggling-prone requests get their error status and a closed
// connection: garbage, obs-fold, duplicate Content-Length, TE with CL, bad versions, bare LF, and
// a missing or repeated Host or a repeated Authorization (each with its own problem code).
import Testing
import TallyHTTP
import TallyTesting

@Suite struct MalformedRequestTests {
    static let cases: [(String, Int)] = [
        ("\u{01}\u{02}garbage\u{7F}\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("GET / HTTP/3\r\nHost: a\r\n\r\n", 505),
        ("GET /\r\n\r\n", 505),
        ("GET / HTTP/1.1\nHost: a\n\n", 400),
        ("GET /a\u{0}b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nBad[Name]: a\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET example.com HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    ]

    @Test(arguments: cases)
    func refusesMalformedRequest(request: String, status: Int) async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send(request)
            #expect(await client.readResponse()?.status == status)
            #expect(await client.isClosedByServer())
        }
    }

    static let singleFieldCases: [(String, String)] = [
        ("GET / HTTP/1.1\r\n\r\n", "missing_host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "repeated_host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer one\r\nAuthorization: Bearer two\r\n\r\n", "repeated_authorization"),
    ]

    @Test(arguments: singleFieldCases)
    func refusesMissingOrRepeatedSingleFields(request: String, code: String) async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send(request)
            let response = await client.readResponse()
            #expect(response?.status == 400)
            #expect(response?.header("Content-Type") == "application/problem+json")
            #expect(response?.body.contains("\"code\":\"\(code)\"") == true)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func answersEarlierRequestsBeforeTheError() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\nBROKEN\r\n\r\n")
            let responses = await client.readResponses(2)
            #expect(responses.map(\.status) == [200, 400])
        }
    }
}
