/// An instant broken into UTC calendar fields, and back to milliseconds since the Unix epoch.
///
/// UTC has no daylight saving and the engine ignores leap seconds (as Unix time does), so every
/// day is exactly 86,400,000 ms.
public struct UTCDateTime: Sendable, Hashable, Comparable {
    public static let msPerSecond: Int64 = 1_000
    public static let msPerMinute: Int64 = 60_000
    public static let msPerHour: Int64 = 3_600_000
    public static let msPerDay: Int64 = 86_400_000

    public let date: CivilDate
    /// 0–23.
    public let hour: Int
    /// 0–59.
    public let minute: Int
    /// 0–59.
    public let second: Int
    /// 0–999.
    public let millisecond: Int
    /// The same instant in milliseconds since 1970-01-01T00:00:00Z.
    public let epochMs: Int64

    public var year: Int64 { date.year }
    public var month: Int { date.month }
    public var day: Int { date.day }

    /// Milliseconds since midnight UTC.
    public var msOfDay: Int64 { floorModulo(epochMs, Self.msPerDay) }

    /// Splits an instant into its UTC fields; total over every `Int64`.
    public init(epochMs: Int64) {
        let days = floorDivide(epochMs, Self.msPerDay)
        let msOfDay = floorModulo(epochMs, Self.msPerDay)
        self.date = CivilCalendar.civilFromDays(days)
        self.hour = Int(msOfDay / Self.msPerHour)
        self.minute = Int(msOfDay % Self.msPerHour / Self.msPerMinute)
        self.second = Int(msOfDay % Self.msPerMinute / Self.msPerSecond)
        self.millisecond = Int(msOfDay % Self.msPerSecond)
        self.epochMs = epochMs
    }

    /// Builds an instant from UTC fields; nil when a field is out of range (including a day past
    /// the end of its month) or the instant does not fit in `Int64` milliseconds.
    public init?(
        year: Int64, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
        millisecond: Int = 0
    ) {
        guard (1...12).contains(month), day >= 1,
            day <= CivilCalendar.daysInMonth(year: year, month: month),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
            (0...999).contains(millisecond), abs(year) <= CivilCalendar.maxAbsYear
        else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        let msOfDay =
            Int64(hour) * Self.msPerHour + Int64(minute) * Self.msPerMinute
            + Int64(second) * Self.msPerSecond + Int64(millisecond)
        guard let epochMs = UTCDateTime.instantMs(days: days, msOfDay: msOfDay) else { return nil }
        self.init(epochMs: epochMs)
    }

    /// `days × 86,400,000 + msOfDay`, or nil when it overflows `Int64`.
    public static func instantMs(days: Int64, msOfDay: Int64) -> Int64? {
        let (dayMs, overflow) = days.multipliedReportingOverflow(by: msPerDay)
        guard !overflow else { return nil }
        let (total, overflowed) = dayMs.addingReportingOverflow(msOfDay)
        return overflowed ? nil : total
    }

    /// The calendar month of the instant as one number (`year × 12 + month − 1`), which is how
    /// the monthly auto top-up cap tells months apart.
    public var monthNumber: Int64 { date.year * 12 + Int64(date.month - 1) }

    public static func < (lhs: UTCDateTime, rhs: UTCDateTime) -> Bool { lhs.epochMs < rhs.epochMs }
}
