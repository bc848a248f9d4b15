/// Parsing of the request line (`METHOD target HTTP/x.y`) and of the request target.
enum HTTPRequestLine {
    /// Fills the method, target, path, query and version of the head from one request line.
    static func parse(_ line: UnsafeBufferPointer<UInt8>, into head: inout HTTPRequestHead) throws(HTTPParseError) {
        guard let methodEnd = line.firstIndex(of: ASCII.space), methodEnd > 0 else {
            throw .badRequest("malformed request line")
        }
        let method = UnsafeBufferPointer(rebasing: line[0..<methodEnd])
        guard method.allSatisfy(ASCII.isTokenByte) else { throw .badRequest("invalid method") }
        let rest = UnsafeBufferPointer(rebasing: line[(methodEnd + 1)...])
        let targetEnd = rest.firstIndex(of: ASCII.space) ?? rest.count
        let target = UnsafeBufferPointer(rebasing: rest[0..<targetEnd])
        guard !target.isEmpty, target.allSatisfy(ASCII.isTargetByte) else {
            throw .badRequest("invalid request target")
        }
        // A line with a method and target but no version is HTTP/0.9, which is a version we do not speak.
        guard targetEnd < rest.count else { throw .unsupportedVersion }
        head.version = try version(UnsafeBufferPointer(rebasing: rest[(targetEnd + 1)...]))
        head.method = String(decoding: method, as: UTF8.self)
        head.target = String(decoding: target, as: UTF8.self)
        let (path, query) = try pathAndQuery(target)
        head.path = path
        head.query = query
    }

    /// Reads `HTTP/1.0` or `HTTP/1.1`; other well-formed versions are 505, anything else 400.
    private static func version(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        let prefix: [UInt8] = Array("HTTP/".utf8)
        guard bytes.count >= 6, Array(bytes[0..<5]) == prefix else { throw .badRequest("malformed HTTP version") }
        let numbers = Array(bytes[5...])
        let isDigit = { (byte: UInt8) in byte >= 48 && byte <= 57 }
        if numbers.count == 3, isDigit(numbers[0]), numbers[1] == 46, isDigit(numbers[2]) {
            let version = HTTPVersion(major: Int(numbers[0] - 48), minor: Int(numbers[2] - 48))
            guard version == .http1_1 || version == .http1_0 else { throw .unsupportedVersion }
            return version
        }
        if numbers.count == 1, isDigit(numbers[0]) { throw .unsupportedVersion }
        throw .badRequest("malformed HTTP version")
    }

    /// Splits a target into path and query, taking the path out of an absolute-form target.
    private static func pathAndQuery(_ target: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> (String, String?) {
        if target.count == 1 && target[0] == ASCII.asterisk { return ("*", nil) }
        var start = 0
        if target[0] != ASCII.slash {
            start = try pathStartInAbsoluteForm(target)
        }
        let pathPart = UnsafeBufferPointer(rebasing: target[start...])
        guard let questionMark = pathPart.firstIndex(of: ASCII.question) else {
            return (pathPart.isEmpty ? "/" : String(decoding: pathPart, as: UTF8.self), nil)
        }
        let path = UnsafeBufferPointer(rebasing: pathPart[0..<questionMark])
        let query = UnsafeBufferPointer(rebasing: pathPart[(questionMark + 1)...])
        return (path.isEmpty ? "/" : String(decoding: path, as: UTF8.self), String(decoding: query, as: UTF8.self))
    }

    /// Finds where the path begins in `http://authority/path`, or the end when there is no path.
    private static func pathStartInAbsoluteForm(_ target: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
        let schemeLength: Int
        if hasPrefix(target, "http://") {
            schemeLength = 7
        } else if hasPrefix(target, "https://") {
            schemeLength = 8
        } else {
            throw .badRequest("request target is neither origin-form nor absolute-form")
        }
        let afterScheme = UnsafeBufferPointer(rebasing: target[schemeLength...])
        guard let authorityEnd = afterScheme.firstIndex(where: { $0 == ASCII.slash || $0 == ASCII.question }) else {
            return target.count
        }
        return schemeLength + authorityEnd
    }

    private static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercasePrefix: StaticString) -> Bool {
        let length = lowercasePrefix.utf8CodeUnitCount
        guard bytes.count > length else { return false }
        return ASCII.equalsIgnoringCase(UnsafeBufferPointer(rebasing: bytes[0..<length]), lowercasePrefix)
    }
}
