import TallyCore
import TallyHTTP

/// The members of a JSON request body, read one by one with their rules; members never read
/// are refused by ``finish()`` so a misspelt field cannot be silently ignored.
struct RequestBody {
    private let members: [(String, JSONValue)]
    private var read: Set<String> = []

    /// Parses the request body as a JSON object; an empty body counts as `{}`.
    init(_ request: HTTPRequest) throws(Problem) {
        guard !request.body.isEmpty else {
            members = []
            return
        }
        let value: JSONValue
        do throws(JSONParser.Failure) {
            value = try JSONParser.parse(request.body)
        } catch {
            throw .invalidJSON("\(error.reason) at byte \(error.offset)")
        }
        guard case .object(let members) = value else { throw .invalidJSON("the body must be a JSON object") }
        self.members = members
    }

    /// A body made of one nested object's members, read with the same rules.
    private init(members: [(String, JSONValue)]) {
        self.members = members
    }

    /// An optional nested object, to be read member by member and finished like a body.
    mutating func object(_ name: String) throws(Problem) -> RequestBody? {
        guard let value = take(name) else { return nil }
        guard case .object(let members) = value else {
            throw .invalid("invalid_field", "'\(name)' must be an object, not \(value.typeName)")
        }
        return RequestBody(members: members)
    }

    /// `rate_limit`: `{limit, window_seconds}`.
    mutating func rateLimit(_ name: String = "rate_limit") throws(Problem) -> RateLimit? {
        guard var fields = try object(name) else { return nil }
        let limit = try fields.integer("limit", in: Limits.rateLimit.range, code: "invalid_rate_limit")
        let window = try fields.integer("window_seconds", in: Limits.rateWindowSeconds.range, code: "invalid_rate_limit")
        try fields.finish()
        guard let limit, let window else {
            throw .invalid("invalid_rate_limit", "'\(name)' needs 'limit' and 'window_seconds'")
        }
        return RateLimit(limit: Int(limit), windowSeconds: Int(window))
    }

    /// Whether the member is present as an explicit `null` (which clears a setting); reads it.
    mutating func isExplicitNull(_ name: String) -> Bool {
        guard let value = members.first(where: { $0.0 == name })?.1, case .null = value else { return false }
        read.insert(name)
        return true
    }

    private mutating func take(_ name: String) -> JSONValue? {
        read.insert(name)
        guard let value = members.first(where: { $0.0 == name })?.1 else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// An optional array of integers, each within `range`.
    mutating func integers(_ name: String, in range: ClosedRange<Int64>, code: String) throws(Problem) -> [Int64]? {
        guard let value = take(name) else { return nil }
        guard let elements = value.arrayValue else { throw .invalid(code, "'\(name)' must be an array of integers") }
        var numbers: [Int64] = []
        for element in elements {
            guard let number = element.integerValue, range.contains(number) else {
                throw .invalid(code, "'\(name)' holds integers from \(range.lowerBound) to \(range.upperBound)")
            }
            numbers.append(number)
        }
        return numbers
    }

    /// Whether the body has a non-null member with this name (without reading it).
    func has(_ name: String) -> Bool {
        guard let value = members.first(where: { $0.0 == name })?.1 else { return false }
        return value != .null
    }

    /// An optional array of strings.
    mutating func strings(_ name: String) throws(Problem) -> [String]? {
        guard let value = take(name) else { return nil }
        guard let elements = value.arrayValue, elements.count <= Limits.stringListEntries else {
            throw .invalid("invalid_field", "'\(name)' must be an array of at most \(Limits.stringListEntries) strings")
        }
        var texts: [String] = []
        for element in elements {
            guard case .string(let text) = element else { throw .invalid("invalid_field", "'\(name)' holds strings only") }
            texts.append(text)
        }
        return texts
    }

    /// A required string member.
    mutating func requiredString(_ name: String) throws(Problem) -> String {
        guard let text = try string(name) else { throw .invalid("missing_field", "'\(name)' is required") }
        return text
    }

    /// An optional string member.
    mutating func string(_ name: String) throws(Problem) -> String? {
        guard let value = take(name) else { return nil }
        guard case .string(let text) = value else { throw .invalid("invalid_field", "'\(name)' must be a string, not \(value.typeName)") }
        return text
    }

    /// An optional boolean member.
    mutating func bool(_ name: String) throws(Problem) -> Bool? {
        guard let value = take(name) else { return nil }
        guard case .bool(let flag) = value else { throw .invalid("invalid_field", "'\(name)' must be a boolean, not \(value.typeName)") }
        return flag
    }

    /// An optional integer member within `range`: an integer literal or a number literal that is
    /// one exactly (`5.0`, `1e3`, as JSON Schema reads `integer`); fractions and strings are refused.
    mutating func integer(_ name: String, in range: ClosedRange<Int64>, code: String = "invalid_field") throws(Problem) -> Int64? {
        guard let value = take(name) else { return nil }
        return try Self.integer(value, name: name, in: range, code: code)
    }

    /// An optional amount: a JSON integer within ``Limits/amount``.
    mutating func amount(_ name: String) throws(Problem) -> Credits? {
        try integer(name, in: Limits.amount.range, code: "invalid_amount")
    }

    /// A required amount.
    mutating func requiredAmount(_ name: String) throws(Problem) -> Credits {
        guard let amount = try amount(name) else { throw .invalid("missing_field", "'\(name)' is required") }
        return amount
    }

    /// An optional RFC 3339 time, as milliseconds since the epoch.
    mutating func time(_ name: String) throws(Problem) -> Int64? {
        guard let text = try string(name) else { return nil }
        return try Self.time(text, name: name)
    }

    /// The RFC 3339 time `text` (a body member or query parameter called `name`) as milliseconds
    /// since the epoch, refused unless the API can also write it back.
    static func time(_ text: String, name: String) throws(Problem) -> Int64 {
        guard let ms = Timestamp.parse(text) else {
            throw .invalid("invalid_time", "'\(name)' must be an RFC 3339 time such as 2026-01-31T12:00:00.000Z")
        }
        guard Timestamp.range.contains(ms) else { throw .timeOutOfRange("'\(name)' is \(text) in UTC") }
        return ms
    }

    /// An optional metadata map of string values.
    mutating func metadata(_ name: String = "metadata") throws(Problem) -> [String: String]? {
        guard let members = try objectMembers(name) else { return nil }
        var map: [String: String] = [:]
        for (key, value) in members {
            guard case .string(let text) = value else {
                throw Problem(Rejection.invalidMetadata("value of '\(key)' must be a string"))
            }
            map[key] = text
        }
        return map
    }

    /// An optional metadata patch: string values set a key, null removes it.
    mutating func metadataPatch(_ name: String = "metadata") throws(Problem) -> [String: String?]? {
        guard let members = try objectMembers(name) else { return nil }
        var patch: [String: String?] = [:]
        for (key, value) in members {
            switch value {
            case .string(let text): patch[key] = .some(text)
            case .null: patch[key] = .some(nil)
            default: throw Problem(Rejection.invalidMetadata("value of '\(key)' must be a string or null"))
            }
        }
        return patch
    }

    private mutating func objectMembers(_ name: String) throws(Problem) -> [(String, JSONValue)]? {
        guard let value = take(name) else { return nil }
        guard case .object(let members) = value else { throw Problem(Rejection.invalidMetadata("'\(name)' must be an object")) }
        return members
    }

    /// Refuses members this route does not read, so a misspelt optional field is not ignored.
    func finish() throws(Problem) {
        for (name, _) in members where !read.contains(name) {
            throw .invalid("unknown_field", "unknown field '\(name)'")
        }
    }

    /// Checks a JSON value is an exact integer within `range`.
    static func integer(_ value: JSONValue, name: String, in range: ClosedRange<Int64>, code: String) throws(Problem) -> Int64 {
        let bounds = "\(IntegerLimit.say(range.lowerBound)) to \(IntegerLimit.say(range.upperBound))"
        switch value {
        case .integer, .number:
            guard let number = value.integerValue else {
                throw .invalid(code, "'\(name)' must be an integer from \(bounds) (got \(String(decoding: JSONWriter.bytes(value), as: UTF8.self)))")
            }
            guard range.contains(number) else { throw .invalid(code, "'\(name)' must be from \(bounds) (got \(number))") }
            return number
        default:
            throw .invalid(code, "'\(name)' must be an integer, not \(value.typeName)")
        }
    }
}
