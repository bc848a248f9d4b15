// Proves that chunked request bodies are de-chunked (extensions ignored, trailers consumed) and
// that a bad chunk size or an oversize chunked body is refused.
import Testing
import TallyHTTP
import TallyTesting

@Suite struct ChunkedBodyTests {
    @Test func decodesChunkedBody() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send(
                "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n")
            let responses = await client.readResponses(2)
            #expect(responses.map(\.body) == ["POST /c - hello world", "GET /after - "])
        }
    }

    @Test func refusesBadChunkSize() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
            #expect(await client.readResponse()?.status == 400)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func refusesOversizeChunkedBody() async throws {
        try await withServer(limits: HTTPLimits(maxBodyBytes: 10)) { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n")
            #expect(await client.readResponse()?.status == 413)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func refusesOtherTransferCodings() async throws {
        try await withServer { _, port in
            let client = try LoopbackConnection(port: port)
            client.send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
            #expect(await client.readResponse()?.status == 501)
        }
    }
}
