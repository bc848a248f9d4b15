import Glibc

/// What the parser produces as bytes arrive.
public enum HTTPParserEvent: Sendable {
    /// The headers asked for `100-continue` and the body has not started arriving yet.
    case continueExpected
    /// A complete request, and whether the connection may carry another one after it.
    case request(HTTPRequest, keepAlive: Bool)
}

/// An incremental HTTP/1.1 request parser with no I/O: feed it bytes, then take events until it returns nil.
///
/// Line endings are strict: a LF not preceded by CR is a 400, because lenient parsing is how
/// front ends and back ends come to disagree about where a request ends.
public struct HTTPRequestParser: Sendable {
    private enum State {
        case requestLine
        case headerLines
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
    }

    /// The longest chunk-size line accepted, extensions included.
    private static let maxChunkSizeLineBytes = 4096

    private let maxHeaderBytes: Int
    private let maxBodyBytes: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var scanIndex = 0
    private var state = State.requestLine
    private var headBytes = 0
    private var head = HTTPRequestHead()
    private var body: [UInt8] = []
    private var continueAnswered = false
    private var failure: HTTPParseError?

    /// Creates a parser enforcing the header and body size limits.
    public init(limits: HTTPLimits = HTTPLimits()) {
        maxHeaderBytes = limits.maxHeaderBytes
        maxBodyBytes = limits.maxBodyBytes
    }

    /// Whether no byte of a next request has arrived since the last complete one.
    public var isIdle: Bool {
        if case .requestLine = state { return headBytes == 0 && readIndex == buffer.count }
        return false
    }

    /// Whether the headers are complete and the parser waits for body bytes.
    public var isReadingBody: Bool {
        switch state {
        case .requestLine, .headerLines: false
        default: true
        }
    }

    /// Appends received bytes; call `next()` afterwards to take what they complete.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends received bytes from an array.
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Returns the next event the buffered bytes complete, nil when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> HTTPParserEvent? {
        if let failure { throw failure }
        do {
            return try advance()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func advance() throws(HTTPParseError) -> HTTPParserEvent? {
        while true {
            switch state {
            case .requestLine, .headerLines:
                guard let line = try nextLine(limit: maxHeaderBytes - headBytes, tooLong: .headersTooLarge) else {
                    return nil
                }
                headBytes += line.count + 2
                if headBytes > maxHeaderBytes { throw .headersTooLarge }
                if let event = try headLine(line) { return event }
            case .body(let remaining):
                let taken = takeBody(upTo: remaining)
                guard taken == remaining else {
                    state = .body(remaining: remaining - taken)
                    return nil
                }
                return finishRequest()
            case .chunkSize:
                guard let line = try nextLine(limit: Self.maxChunkSizeLineBytes, tooLong: .badRequest("chunk size line too long")) else {
                    return nil
                }
                let size = try chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
                headBytes = 0
            case .chunkData(let remaining):
                let taken = takeBody(upTo: remaining)
                guard taken == remaining else {
                    state = .chunkData(remaining: remaining - taken)
                    return nil
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                guard buffer.count - readIndex >= 2 else { return nil }
                guard buffer[readIndex] == ASCII.cr, buffer[readIndex + 1] == ASCII.lf else {
                    throw .badRequest("chunk data not followed by CRLF")
                }
                readIndex += 2
                scanIndex = readIndex
                state = .chunkSize
            case .trailers:
                // Trailer fields are read and dropped: nothing in Tally needs them and merging them is a risk.
                guard let line = try nextLine(limit: maxHeaderBytes - headBytes, tooLong: .headersTooLarge) else {
                    return nil
                }
                headBytes += line.count + 2
                if line.isEmpty { return finishRequest() }
            }
        }
    }

    /// Handles one request line or header line; returns an event when the head completes one.
    private mutating func headLine(_ line: Range<Int>) throws(HTTPParseError) -> HTTPParserEvent? {
        try buffer.withUnsafeBufferPointer { (bytes) throws(HTTPParseError) -> HTTPParserEvent? in
            let text = UnsafeBufferPointer(rebasing: bytes[line])
            if case .requestLine = state {
                // RFC 9112 asks servers to ignore empty lines before a request line.
                if text.isEmpty { return nil }
                try validateNoControlBytes(text)
                try HTTPRequestLine.parse(text, into: &head)
                state = .headerLines
                return nil
            }
            if text.isEmpty { return try finishHead() }
            try parseHeader(text)
            return nil
        }
    }

    private func validateNoControlBytes(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
        for byte in line where byte < 0x20 || byte == 0x7F {
            throw .badRequest("control byte in request line")
        }
    }

    private mutating func parseHeader(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
        if line[0] == ASCII.space || line[0] == ASCII.tab { throw .badRequest("obsolete header line folding") }
        guard let colon = line.firstIndex(of: ASCII.colon), colon > 0 else { throw .badRequest("header without name") }
        let name = UnsafeBufferPointer(rebasing: line[0..<colon])
        guard name.allSatisfy(ASCII.isTokenByte) else { throw .badRequest("invalid header name") }
        let value = ASCII.trimmed(UnsafeBufferPointer(rebasing: line[(colon + 1)...]))
        guard value.allSatisfy(ASCII.isFieldValueByte) else { throw .badRequest("invalid header value") }
        head.add(name: name, value: value)
    }

    /// Chooses the body framing once the empty line ends the headers.
    private mutating func finishHead() throws(HTTPParseError) -> HTTPParserEvent? {
        try head.validateSingleFields()
        if head.expectOther { throw .unsupportedExpectation }
        let framing = try head.bodyFraming(maxBodyBytes: maxBodyBytes)
        headBytes = 0
        switch framing {
        case .length(0):
            return finishRequest()
        case .length(let length):
            // Reserve only a little up front so a lying Content-Length cannot make us allocate 1 MiB per connection.
            body.reserveCapacity(min(length, 65_536))
            state = .body(remaining: length)
        case .chunked:
            state = .chunkSize
        }
        if head.expectContinue && !continueAnswered && readIndex == buffer.count {
            continueAnswered = true
            return .continueExpected
        }
        return nil
    }

    private func chunkSize(_ line: Range<Int>) throws(HTTPParseError) -> Int {
        var size = 0
        var digits = 0
        var index = line.lowerBound
        while index < line.upperBound, let digit = ASCII.hexValue(buffer[index]) {
            size = size * 16 + digit
            digits += 1
            if size > maxBodyBytes - body.count { throw .bodyTooLarge }
            index += 1
        }
        guard digits > 0 else { throw .badRequest("invalid chunk size") }
        while index < line.upperBound && (buffer[index] == ASCII.space || buffer[index] == ASCII.tab) { index += 1 }
        // Chunk extensions are ignored, but they may not smuggle control bytes.
        guard index == line.upperBound || buffer[index] == ASCII.semicolon else { throw .badRequest("invalid chunk size") }
        while index < line.upperBound {
            guard ASCII.isFieldValueByte(buffer[index]) else { throw .badRequest("invalid chunk extension") }
            index += 1
        }
        return size
    }

    /// Moves up to `count` buffered bytes into the body and returns how many it moved.
    private mutating func takeBody(upTo count: Int) -> Int {
        let taken = min(count, buffer.count - readIndex)
        body.append(contentsOf: buffer[readIndex..<(readIndex + taken)])
        readIndex += taken
        scanIndex = readIndex
        return taken
    }

    private mutating func finishRequest() -> HTTPParserEvent {
        let request = HTTPRequest(
            method: head.method, target: head.target, path: head.path, query: head.query, version: head.version,
            headers: HTTPHeaders(fields: head.fields), body: body)
        let keepAlive = head.keepAlive
        head = HTTPRequestHead()
        body = []
        continueAnswered = false
        headBytes = 0
        state = .requestLine
        return .request(request, keepAlive: keepAlive)
    }

    /// Returns the next CRLF-terminated line without its CRLF and consumes it, or nil when incomplete.
    private mutating func nextLine(limit: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> Range<Int>? {
        let start = readIndex
        let found = buffer.withUnsafeBufferPointer { bytes -> Int? in
            guard scanIndex < bytes.count,
                let hit = memchr(bytes.baseAddress! + scanIndex, Int32(ASCII.lf), bytes.count - scanIndex)
            else { return nil }
            return bytes.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        guard let lineFeed = found else {
            scanIndex = buffer.count
            if buffer.count - start > limit { throw tooLong }
            return nil
        }
        // The length check comes first so the answer does not depend on how the bytes were split.
        if lineFeed + 1 - start > limit { throw tooLong }
        guard lineFeed > start, buffer[lineFeed - 1] == ASCII.cr else { throw .badRequest("bare LF") }
        readIndex = lineFeed + 1
        scanIndex = readIndex
        return start..<(lineFeed - 1)
    }

    /// Drops consumed bytes so the buffer does not grow across requests.
    private mutating func compact() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
        } else if readIndex >= 4096 {
            buffer.removeFirst(readIndex)
        } else {
            return
        }
        scanIndex -= readIndex
        readIndex = 0
    }
}
