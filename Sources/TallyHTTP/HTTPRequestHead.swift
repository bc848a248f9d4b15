/// The request line and headers of a request being parsed, plus the framing facts read from them.
struct HTTPRequestHead {
    var method = ""
    var target = ""
    var path = ""
    var query: String?
    var version = HTTPVersion.http1_1
    var fields: [(name: String, value: String)] = []
    var contentLengths: [String] = []
    var transferEncodings: [String] = []
    var connectionClose = false
    var connectionKeepAlive = false
    var expectContinue = false
    var expectOther = false
    var hostCount = 0
    var authorizationCount = 0

    /// Whether the connection may carry another request after this one.
    var keepAlive: Bool {
        if connectionClose { return false }
        return version == .http1_1 || connectionKeepAlive
    }

    /// Records one header field, noting the ones that decide framing and connection reuse.
    mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        let valueString = String(decoding: value, as: UTF8.self)
        fields.append((name: String(decoding: name, as: UTF8.self), value: valueString))
        if ASCII.equalsIgnoringCase(name, "content-length") {
            contentLengths.append(valueString)
        } else if ASCII.equalsIgnoringCase(name, "transfer-encoding") {
            transferEncodings.append(valueString)
        } else if ASCII.equalsIgnoringCase(name, "connection") {
            forEachToken(value) { token in
                if ASCII.equalsIgnoringCase(token, "close") { connectionClose = true }
                if ASCII.equalsIgnoringCase(token, "keep-alive") { connectionKeepAlive = true }
            }
        } else if ASCII.equalsIgnoringCase(name, "host") {
            hostCount += 1
        } else if ASCII.equalsIgnoringCase(name, "authorization") {
            authorizationCount += 1
        } else if ASCII.equalsIgnoringCase(name, "expect") {
            if ASCII.equalsIgnoringCase(value, "100-continue") { expectContinue = true } else { expectOther = true }
        }
    }

    /// Refuses the fields that must appear once: a second Host or Authorization leaves front end
    /// and back end free to read different ones, so neither is guessed.
    ///
    /// Host is required from HTTP/1.1 on (RFC 9112 §3.2); HTTP/1.0 clients may leave it out.
    func validateSingleFields() throws(HTTPParseError) {
        if hostCount > 1 { throw .repeatedHost }
        if hostCount == 0 && version == .http1_1 { throw .missingHost }
        if authorizationCount > 1 { throw .repeatedAuthorization }
    }

    /// Decides how the body is framed, rejecting every ambiguous combination.
    func bodyFraming(maxBodyBytes: Int) throws(HTTPParseError) -> BodyFraming {
        if !transferEncodings.isEmpty {
            // A message with both framings is the classic smuggling vector; HTTP/1.0 has no chunking.
            guard contentLengths.isEmpty else { throw .badRequest("both Transfer-Encoding and Content-Length") }
            guard version == .http1_1 else { throw .badRequest("Transfer-Encoding in HTTP/1.0") }
            guard transferEncodings.count == 1, transferEncodings[0].utf8.count == 7,
                Array(transferEncodings[0].utf8).withUnsafeBufferPointer({ ASCII.equalsIgnoringCase($0, "chunked") })
            else { throw .unsupportedTransferEncoding }
            return .chunked
        }
        // Every repeated Content-Length is refused, even identical ones: there is no honest client that sends two.
        guard contentLengths.count <= 1 else { throw .badRequest("repeated Content-Length") }
        guard let text = contentLengths.first else { return .length(0) }
        return .length(try Self.contentLength(text, maxBodyBytes: maxBodyBytes))
    }

    /// Parses a Content-Length value made only of digits.
    private static func contentLength(_ text: String, maxBodyBytes: Int) throws(HTTPParseError) -> Int {
        guard !text.isEmpty else { throw .badRequest("empty Content-Length") }
        var length = 0
        for byte in text.utf8 {
            guard byte >= 48 && byte <= 57 else { throw .badRequest("invalid Content-Length") }
            length = length * 10 + Int(byte - 48)
            if length > maxBodyBytes { throw .bodyTooLarge }
        }
        return length
    }

    /// Calls the body with each comma-separated token, trimmed of spaces and tabs.
    private func forEachToken(_ value: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        for index in 0...value.count where index == value.count || value[index] == 44 {
            body(ASCII.trimmed(UnsafeBufferPointer(rebasing: value[start..<index])))
            start = index + 1
        }
    }
}

/// How a request body is delimited.
enum BodyFraming {
    case length(Int)
    case chunked
}
