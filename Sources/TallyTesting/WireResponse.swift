/// An HTTP/1.1 response as read off the wire by the tests' raw-socket clients.
public struct WireResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: String

    /// Creates a response.
    public init(status: Int, headers: [(String, String)], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header value with this name, ignoring case.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Parses one response from the front of the bytes, returning it and the bytes it used; nil
    /// until the whole response (headers and the body its Content-Length announces) is there.
    public static func parse(_ bytes: [UInt8]) -> (WireResponse, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4,
            let headEnd = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator })
        else { return nil }
        let head = String(decoding: bytes[0..<headEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        let status = statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0
        let headers = lines.map { line -> (String, String) in
            let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? String(parts[1].drop(while: { $0 == " " })) : "")
        }
        // An interim 100 Continue has no body whatever its headers say.
        let bodyLength = status == 100 ? 0 : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        guard bytes.count >= headEnd + 4 + bodyLength else { return nil }
        let body = String(decoding: bytes[(headEnd + 4)..<(headEnd + 4 + bodyLength)], as: UTF8.self)
        return (WireResponse(status: status, headers: headers, body: body), headEnd + 4 + bodyLength)
    }
}
