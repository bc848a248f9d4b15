/// A gateway route's path pattern: literal segments, `{name}` placeholders and a trailing `*`.
///
/// `/v1/chat/{model}` matches `/v1/chat/gpt` (a placeholder is exactly one non-empty segment);
/// `/v1/files/*` matches `/v1/files` and everything below it (`*` is zero or more segments, only
/// as the last one); `/` matches only the root. Literals are compared with the decoded request
/// segments, case-sensitively, and may hold `A-Z a-z 0-9 - . _ ~ ! $ & ' ( ) + , ; = : @`.
public struct RoutePattern: Sendable, Hashable {
    /// One segment before any wildcard.
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
    }

    /// Why a pattern was refused; ``reason`` is the text check-config shows.
    public enum Problem: Error, Sendable, Hashable {
        case mustStartWithSlash
        case emptySegment
        case tooManySegments
        case invalidLiteral(String)
        case invalidParameter(String)
        case repeatedParameter(String)
        case wildcardNotLast
    }

    /// The longest placeholder name.
    public static let maxParameterNameLength = 64

    public let segments: [Segment]
    /// Whether a trailing `*` lets the pattern match any further segments.
    public let hasWildcard: Bool

    /// Reads a pattern as written in the configuration.
    public init(parsing text: String) throws(Problem) {
        guard text.utf8.first == UInt8(ascii: "/") else { throw .mustStartWithSlash }
        let parts = text == "/" ? [] : text.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= RequestTarget.maxSegments else { throw .tooManySegments }
        var segments: [Segment] = []
        var names: Set<String> = []
        for (index, part) in parts.enumerated() {
            if part == "*" {
                guard index == parts.count - 1 else { throw .wildcardNotLast }
                self.segments = segments
                hasWildcard = true
                return
            }
            let segment = try Self.segment(String(part))
            if case .parameter(let name) = segment, !names.insert(name).inserted { throw .repeatedParameter(name) }
            segments.append(segment)
        }
        self.segments = segments
        hasWildcard = false
    }

    /// Whether the pattern matches a request's decoded segments.
    public func matches(_ target: [String]) -> Bool {
        guard hasWildcard ? target.count >= segments.count : target.count == segments.count else { return false }
        for (segment, value) in zip(segments, target) {
            if case .literal(let literal) = segment, literal != value { return false }
        }
        return true
    }

    /// How many segments must equal a literal.
    public var literalCount: Int { segments.count(where: { if case .literal = $0 { true } else { false } }) }

    /// How many segments are placeholders.
    public var parameterCount: Int { segments.count - literalCount }

    /// The pattern with placeholder names erased: two patterns with the same shape match the
    /// same paths.
    var shape: [String?] {
        segments.map { if case .literal(let literal) = $0 { literal } else { nil } } + (hasWildcard ? ["*"] : [])
    }

    static func segment(_ part: String) throws(Problem) -> Segment {
        guard !part.isEmpty else { throw .emptySegment }
        if part.hasPrefix("{") {
            let name = part.dropFirst().dropLast()
            guard part.hasSuffix("}"), (1...maxParameterNameLength).contains(name.utf8.count),
                name.utf8.allSatisfy(isNameByte)
            else { throw .invalidParameter(part) }
            return .parameter(String(name))
        }
        guard part != ".", part != "..", part.utf8.allSatisfy(isLiteralByte) else { throw .invalidLiteral(part) }
        return .literal(part)
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || Base62.isDigit(byte)
    }

    static func isLiteralByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"),
            UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"),
            UInt8(ascii: "@"):
            true
        default: Base62.isDigit(byte)
        }
    }
}

extension RoutePattern.Problem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .mustStartWithSlash: "must start with /"
        case .emptySegment: "has an empty segment (// or a trailing /)"
        case .tooManySegments: "has more than \(RequestTarget.maxSegments) segments"
        case .invalidLiteral(let part):
            "segment \(part) may only hold A-Z a-z 0-9 - . _ ~ ! $ & ' ( ) + , ; = : @ and is not . or .."
        case .invalidParameter(let part): "placeholder \(part) must be {name} with a name of 1 to 64 of A-Z a-z 0-9 _"
        case .repeatedParameter(let name): "repeats the placeholder {\(name)}"
        case .wildcardNotLast: "* may only be the whole last segment"
        }
    }
}
