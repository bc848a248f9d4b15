/// Writes responses as HTTP/1.1 bytes straight into a connection's output buffer.
enum ResponseSerializer {
    /// The interim answer telling a client to send the body it is holding back.
    static let continueBytes: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// The Connection header the server adds to a response.
    enum ConnectionField {
        /// None: HTTP/1.1 keeps the connection by default.
        case none
        /// `Connection: close`, when the server closes after this response.
        case close
        /// `Connection: keep-alive`, telling an HTTP/1.0 client that the connection stays open.
        case keepAlive
    }

    /// Appends a full response; `includeBody` is false for HEAD.
    static func append(
        _ response: HTTPResponse, to output: inout [UInt8], date: [UInt8], includeBody: Bool,
        connection: ConnectionField
    ) {
        appendStatusLine(response.status, to: &output)
        output.append(contentsOf: serverAndDate)
        output.append(contentsOf: date)
        output.append(contentsOf: crlf)
        // 1xx, 204 and 304 answers never carry a body, so they get no Content-Length either.
        let bodyAllowed = response.status >= 200 && response.status != 204 && response.status != 304
        if bodyAllowed {
            output.append(contentsOf: contentLengthPrefix)
            appendDecimal(response.body.count, to: &output)
            output.append(contentsOf: crlf)
        }
        switch connection {
        case .none: break
        case .close: output.append(contentsOf: connectionClose)
        case .keepAlive: output.append(contentsOf: connectionKeepAlive)
        }
        for field in response.headers where isAllowed(field) {
            output.append(contentsOf: field.name.utf8)
            output.append(contentsOf: colonSpace)
            output.append(contentsOf: field.value.utf8)
            output.append(contentsOf: crlf)
        }
        output.append(contentsOf: crlf)
        if includeBody && bodyAllowed { output.append(contentsOf: response.body) }
    }

    /// Whether the response asks for the connection to be closed after it.
    static func asksToClose(_ response: HTTPResponse) -> Bool {
        guard let value = response.headers["connection"] else { return false }
        return value.lowercased().contains("close")
    }

    /// Drops fields the server owns and any field that could split the response.
    private static func isAllowed(_ field: (name: String, value: String)) -> Bool {
        for owned in ownedNames where HTTPHeaders.namesMatch(field.name, owned) {
            return false
        }
        return !field.name.isEmpty && field.name.utf8.allSatisfy(ASCII.isTokenByte)
            && field.value.utf8.allSatisfy(ASCII.isFieldValueByte)
    }

    private static func appendStatusLine(_ status: Int, to output: inout [UInt8]) {
        output.append(contentsOf: httpVersionPrefix)
        appendDecimal(status, to: &output)
        output.append(ASCII.space)
        reasonPhrase(status).withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(contentsOf: crlf)
    }

    private static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        guard value >= 10 else {
            output.append(UInt8(48 + max(0, value)))
            return
        }
        appendDecimal(value / 10, to: &output)
        output.append(UInt8(48 + value % 10))
    }

    private static let ownedNames = ["content-length", "transfer-encoding", "date", "server", "connection"]
    private static let httpVersionPrefix: [UInt8] = Array("HTTP/1.1 ".utf8)
    private static let serverAndDate: [UInt8] = Array("Server: tally\r\nDate: ".utf8)
    private static let contentLengthPrefix: [UInt8] = Array("Content-Length: ".utf8)
    private static let connectionClose: [UInt8] = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive: [UInt8] = Array("Connection: keep-alive\r\n".utf8)
    private static let colonSpace: [UInt8] = Array(": ".utf8)
    private static let crlf: [UInt8] = [ASCII.cr, ASCII.lf]

    /// The standard reason phrase for a status code.
    static func reasonPhrase(_ status: Int) -> StaticString {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Unknown"
        }
    }
}
