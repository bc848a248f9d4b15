/// RFC 3339 times in UTC with milliseconds, written and read without Foundation formatters.
public enum Timestamp {
    /// Formats milliseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public static func format(_ ms: Int64) -> String {
        let time = UTCDateTime(epochMs: ms)
        let msOfDay = time.msOfDay
        let (year, month, day) = (time.year, Int64(time.month), Int64(time.day))
        var text = ""
        text.reserveCapacity(24)
        append(year, width: 4, to: &text)
        text += "-"
        append(month, width: 2, to: &text)
        text += "-"
        append(day, width: 2, to: &text)
        text += "T"
        append(msOfDay / 3_600_000, width: 2, to: &text)
        text += ":"
        append(msOfDay / 60_000 % 60, width: 2, to: &text)
        text += ":"
        append(msOfDay / 1_000 % 60, width: 2, to: &text)
        text += "."
        append(msOfDay % 1_000, width: 3, to: &text)
        text += "Z"
        return text
    }

    /// The instants ``format(_:)`` writes with a four-digit year, as RFC 3339 requires:
    /// 0000-01-01T00:00:00.000Z through 9999-12-31T23:59:59.999Z.
    public static let range: ClosedRange<Int64> = -62_167_219_200_000...253_402_300_799_999

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into milliseconds since the epoch;
    /// digits of the fraction past milliseconds are truncated. Nil when it is not such a time.
    ///
    /// A leap second (`:60`, RFC 3339 §5.7) is read only where one can be inserted, at 23:59:60
    /// UTC on the last day of a month (shifted by the offset), and reads as 23:59:59.999 of that
    /// day: Unix time has no 61st second, and this keeps the instant in its own minute, day and
    /// month and in order. An offset can carry a time just outside ``range``; callers that must
    /// write it back check that.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        guard let year = number(bytes, 0, 4), bytes[4] == UInt8(ascii: "-"), let month = number(bytes, 5, 2),
            bytes[7] == UInt8(ascii: "-"), let day = number(bytes, 8, 2),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            let hour = number(bytes, 11, 2), bytes[13] == UInt8(ascii: ":"), let minute = number(bytes, 14, 2),
            bytes[16] == UInt8(ascii: ":"), let second = number(bytes, 17, 2),
            (1...12).contains(month), day >= 1, day <= Int64(CivilCalendar.daysInMonth(year: year, month: Int(month))),
            hour < 24, minute < 60, second <= 60,
            let fraction = fraction(bytes, from: 19), let offsetMinutes = offset(bytes, from: fraction.next)
        else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: Int(month), day: Int(day))
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + min(second, 59) - offsetMinutes * 60
        guard second == 60 else { return seconds * 1_000 + fraction.millis }
        let leap = seconds * 1_000 + 999
        return isLeapSecondEnd(leap) ? leap : nil
    }

    /// The decimal number in `count` bytes from `start`; nil unless they are all digits.
    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int64? {
        guard start + count <= bytes.count else { return nil }
        var value: Int64 = 0
        for byte in bytes[start..<(start + count)] {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return value
    }

    /// The milliseconds of an optional `.fraction` at `start`, and where the zone starts after it.
    private static func fraction(_ bytes: [UInt8], from start: Int) -> (millis: Int64, next: Int)? {
        guard bytes[start] == UInt8(ascii: ".") else { return (0, start) }
        var index = start + 1
        var millis: Int64 = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            if digits < 3 { millis = millis * 10 + Int64(bytes[index] - 0x30) }
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        for _ in digits..<max(digits, 3) { millis *= 10 }
        return (millis, index)
    }

    /// The signed offset in minutes of `Z` or `±HH:MM` ending the text at `index`.
    private static func offset(_ bytes: [UInt8], from index: Int) -> Int64? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return index + 1 == bytes.count ? 0 : nil
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, let hours = number(bytes, index + 1, 2), bytes[index + 3] == UInt8(ascii: ":"),
                let minutes = number(bytes, index + 4, 2), hours < 24, minutes < 60
            else { return nil }
            return (hours * 60 + minutes) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
    }

    /// Whether `ms` is the last millisecond of a month in UTC, where a leap second is inserted.
    private static func isLeapSecondEnd(_ ms: Int64) -> Bool {
        let time = UTCDateTime(epochMs: ms)
        return time.msOfDay == UTCDateTime.msPerDay - 1 && time.day == CivilCalendar.daysInMonth(year: time.year, month: time.month)
    }

    private static func append(_ value: Int64, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
        text += digits
    }
}
