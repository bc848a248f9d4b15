/// The path of a proxied request (`X-Original-URI`), split into decoded segments.
///
/// Reading is strict because the upstream, not Tally, serves the path: anything two servers
/// could read differently is refused rather than priced. The query and fragment are dropped;
/// one trailing `/` is ignored (`/v1/items/` prices as `/v1/items`); each segment is
/// percent-decoded once and must be UTF-8. Refused: a target not starting with `/`, empty
/// segments (`//`), dot segments (`.` and `..`, also encoded), an encoded `/` (`%2F`), any
/// backslash, control characters (`%00` included), bad escapes, and targets over
/// ``maxLength`` bytes or ``maxSegments`` segments.
public struct RequestTarget: Sendable, Hashable {
    /// Why a target was refused.
    public enum Problem: Error, Sendable, Hashable {
        case notOriginForm
        case tooLong
        case tooManySegments
        case emptySegment
        case dotSegment
        case invalidEscape
        case encodedSlash
        case forbiddenCharacter
        case invalidUTF8
    }

    /// The longest target read, in bytes (query included).
    public static let maxLength = 8_192
    /// The most path segments read.
    public static let maxSegments = 64

    /// The decoded segments; empty for `/`.
    public let segments: [String]

    /// Reads `uri` as sent in `X-Original-URI`.
    public init(parsing uri: String) throws(Problem) {
        guard uri.utf8.count <= Self.maxLength else { throw .tooLong }
        let bytes = Array(uri.utf8)
        let path = bytes.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        guard path.first == UInt8(ascii: "/") else { throw .notOriginForm }
        var raw = path.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        if raw.last?.isEmpty == true { raw.removeLast() }
        guard raw.count <= Self.maxSegments else { throw .tooManySegments }
        var segments: [String] = []
        segments.reserveCapacity(raw.count)
        for segment in raw { segments.append(try Self.decode(segment)) }
        self.segments = segments
    }

    /// One segment, percent-decoded and checked.
    static func decode(_ raw: ArraySlice<UInt8>) throws(Problem) -> String {
        guard !raw.isEmpty else { throw .emptySegment }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            var byte = raw[index]
            if byte == UInt8(ascii: "%") {
                byte = try escapedByte(raw, at: index)
                if byte == UInt8(ascii: "/") { throw .encodedSlash }
                index += 3
            } else {
                index += 1
            }
            guard byte >= 0x20, byte != 0x7F, byte != UInt8(ascii: "\\") else { throw .forbiddenCharacter }
            decoded.append(byte)
        }
        guard decoded != [UInt8(ascii: ".")], decoded != [UInt8(ascii: "."), UInt8(ascii: ".")] else {
            throw .dotSegment
        }
        guard let text = String(validating: decoded, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    /// The byte of the `%XX` escape starting at `index`.
    static func escapedByte(_ raw: ArraySlice<UInt8>, at index: Int) throws(Problem) -> UInt8 {
        guard raw.endIndex - index >= 3, let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2]) else {
            throw .invalidEscape
        }
        return high << 4 | low
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
