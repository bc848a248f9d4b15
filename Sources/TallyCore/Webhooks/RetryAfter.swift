/// Reads a `Retry-After` header (RFC 9110 §10.2.3): delay seconds or an HTTP date.
public enum RetryAfter {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The delay the header asks for in milliseconds from `nowMs`, never negative; nil when the
    /// value is neither form. Only the IMF-fixdate form of HTTP dates is read (what every
    /// current server sends).
    public static func delayMs(_ value: String, nowMs: Int64) -> Int64? {
        let text = value.trimmingSpaces
        if let seconds = digits(text) {
            return seconds * 1_000
        }
        guard let dateMs = httpDateMs(text) else { return nil }
        return max(0, dateMs - nowMs)
    }

    /// Parses `Sun, 06 Nov 1994 08:49:37 GMT` into milliseconds since the epoch.
    public static func httpDateMs(_ text: String) -> Int64? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","), parts[5] == "GMT",
            parts[1].count == 2, let day = digits(parts[1]).map(Int.init),
            let month = months.firstIndex(of: String(parts[2])), parts[3].count == 4,
            let year = digits(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }), let hour = digits(clock[0]),
            let minute = digits(clock[1]), let second = digits(clock[2])
        else { return nil }
        return UTCDateTime(
            year: year, month: month + 1, day: day, hour: Int(hour), minute: Int(minute), second: Int(second))?.epochMs
    }

    /// The value of 1–15 ASCII digits (so seconds × 1,000 fits), without the sign `Int64(_:)` would also accept.
    private static func digits(_ text: some StringProtocol) -> Int64? {
        guard (1...15).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int64(text)
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs (header whitespace).
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
