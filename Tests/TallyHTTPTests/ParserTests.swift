// Proves the pure request parser: complete and incremental (byte-by-byte) parsing, framing,
// keep-alive decisions, 100-continue events, the typed errors with their status codes, and the
// fields that must appear once (Host, Authorization).
import Testing
import TallyHTTP

@Suite struct ParserTests {
    /// Feeds the text in pieces of `pieceSize` bytes and collects every event and the first error.
    private func parse(_ text: String, pieceSize: Int = .max, limits: HTTPLimits = HTTPLimits())
        -> (events: [HTTPParserEvent], error: HTTPParseError?)
    {
        var parser = HTTPRequestParser(limits: limits)
        let bytes = Array(text.utf8)
        var events: [HTTPParserEvent] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + min(pieceSize, bytes.count))
            parser.append(Array(bytes[start..<end]))
            start = end
            do {
                while let event = try parser.next() { events.append(event) }
            } catch {
                return (events, error)
            }
        }
        return (events, nil)
    }

    private func requests(_ events: [HTTPParserEvent]) -> [(HTTPRequest, Bool)] {
        events.compactMap { event in
            if case .request(let request, let keepAlive) = event { return (request, keepAlive) }
            return nil
        }
    }

    @Test func parsesRequestWithHeadersAndBody() throws {
        let (events, error) = parse("POST /v1/authorize?a=1 HTTP/1.1\r\nHost: x\r\nX-Key:  v  \r\nContent-Length: 3\r\n\r\nabc")
        #expect(error == nil)
        let (request, keepAlive) = try #require(requests(events).first)
        #expect(request.method == "POST")
        #expect(request.target == "/v1/authorize?a=1")
        #expect(request.path == "/v1/authorize")
        #expect(request.query == "a=1")
        #expect(request.headers["x-key"] == "v")
        #expect(request.headers["HOST"] == "x")
        #expect(request.body == Array("abc".utf8))
        #expect(keepAlive)
    }

    @Test(arguments: [1, 2, 7])
    func parsesIncrementallyInSmallPieces(pieceSize: Int) {
        let text =
            "\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n0\r\nT: 1\r\n\r\n"
            + "PUT /c HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi"
        let (events, error) = parse(text, pieceSize: pieceSize)
        #expect(error == nil)
        let parsed = requests(events)
        #expect(parsed.map(\.0.path) == ["/a", "/b", "/c"])
        #expect(parsed.map { String(decoding: $0.0.body, as: UTF8.self) } == ["", "abc", "hi"])
        #expect(parsed.map(\.1) == [true, true, false])
    }

    @Test func decidesKeepAliveFromVersionAndConnectionHeader() {
        let cases: [(String, Bool)] = [
            ("GET / HTTP/1.1\r\nHost: h\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n", false),
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, close\r\n\r\n", false),
        ]
        for (text, keepAlive) in cases {
            #expect(requests(parse(text).events).first?.1 == keepAlive, "\(text)")
        }
    }

    @Test func announcesContinueOnlyWhenBodyIsAwaited() {
        let waiting = parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n").events
        #expect(waiting.count == 1)
        if case .continueExpected = waiting.first {} else { Issue.record("expected a continue event") }
        let sentAlready = parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok").events
        #expect(requests(sentAlready).count == 1 && sentAlready.count == 1)
    }

    @Test func takesPathFromAbsoluteForm() {
        let parsed = requests(parse("GET https://h.example:8443?x=1 HTTP/1.1\r\nHost: h\r\n\r\n").events)
        #expect(parsed.first?.0.path == "/")
        #expect(parsed.first?.0.query == "x=1")
        #expect(parsed.first?.0.target == "https://h.example:8443?x=1")
    }

    static let failures: [(String, Int)] = [
        ("GET / HTTP/1.1\r\nHost: h\r\nA: b\r\n c\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
        ("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n", 501),
        ("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 400),
        ("GET / HTTP/1.1\rX\r\n\r\n", 400),
        ("GET / HTTP/1.1\n\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nName: a\u{1}b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\n: empty\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400),
        ("GET / HTTP/1.2\r\n\r\n", 505),
        ("GET / HTTP/2.0\r\n\r\n", 505),
        ("GET /\r\n", 505),
        ("GET / HTTX/1.1\r\n\r\n", 400),
        ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n", 417),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413),
    ]

    @Test(arguments: failures)
    func refusesWithStatus(text: String, status: Int) {
        #expect(parse(text).error?.status == status)
        #expect(parse(text, pieceSize: 1).error?.status == status)
    }

    static let singleFieldFailures: [(String, String)] = [
        ("GET / HTTP/1.1\r\n\r\n", "missing_host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", "repeated_host"),
        ("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", "repeated_host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer x\r\nAUTHORIZATION: Bearer y\r\n\r\n", "repeated_authorization"),
    ]

    @Test(arguments: singleFieldFailures)
    func refusesMissingOrRepeatedSingleFields(text: String, code: String) {
        let error = parse(text).error
        #expect(error?.status == 400)
        #expect(error?.code == code)
    }

    @Test func acceptsHTTP10WithoutHost() {
        #expect(requests(parse("GET / HTTP/1.0\r\n\r\n").events).count == 1)
    }

    @Test func enforcesHeaderAndBodyLimits() {
        let limits = HTTPLimits(maxHeaderBytes: 64, maxBodyBytes: 4)
        let longHeader = "GET / HTTP/1.1\r\nHost: h\r\nX: \(String(repeating: "a", count: 100))\r\n\r\n"
        #expect(parse(longHeader, limits: limits).error?.status == 431)
        // The limit applies before the line ends, so an endless header cannot grow the buffer.
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\nX: \(String(repeating: "a", count: 100))", limits: limits).error?.status == 431)
        #expect(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n", limits: limits).error?.status == 413)
        #expect(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\n", limits: limits).error?.status == 413)
        #expect(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd", limits: limits).error == nil)
    }

    @Test func staysFailedAfterAnError() {
        var parser = HTTPRequestParser()
        parser.append(Array("BAD\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(throws: HTTPParseError.self) { try parser.next() }
    }

    @Test func reportsIdleAndBodyPhases() throws {
        var parser = HTTPRequestParser()
        #expect(parser.isIdle)
        parser.append(Array("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\na".utf8))
        #expect(try parser.next() == nil)
        #expect(!parser.isIdle && parser.isReadingBody)
        parser.append(Array("b".utf8))
        #expect(try parser.next() != nil)
        #expect(parser.isIdle)
    }
}
