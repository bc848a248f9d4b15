/// The `name=value` pairs of a request's query string, percent-decoded (`+` stays a plus).
struct QueryParameters {
    private var values: [String: String] = [:]

    /// Parses a query; a repeated name keeps its first value, a pair without `=` has an empty value.
    init(_ query: String?) {
        guard let query else { return }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.percentDecoded(parts[0])
            if values[name] == nil { values[name] = parts.count > 1 ? Self.percentDecoded(parts[1]) : "" }
        }
    }

    subscript(name: String) -> String? { values[name] }

    /// The `livemode` filter: `true` or `false`, nil when absent.
    func livemode() throws(Problem) -> Bool? {
        switch values["livemode"] {
        case nil: nil
        case "true": true
        case "false": false
        default: throw .invalid("invalid_field", "livemode is true or false")
        }
    }

    /// Decodes `%XX` escapes; a malformed escape is kept as written.
    static func percentDecoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
