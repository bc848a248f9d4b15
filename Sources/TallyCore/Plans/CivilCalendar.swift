/// Proleptic Gregorian calendar arithmetic on day numbers counted from 1970-01-01, without
/// Foundation.
///
/// The two conversions follow Howard Hinnant's `days_from_civil` and `civil_from_days`: shifting
/// the year to start on March 1 puts the leap day last, so a month's first day is a linear
/// function of its index and the 400-year era (146,097 days) repeats exactly.
public enum CivilCalendar {
    /// Days from 0000-03-01 to 1970-01-01, the shift between the era count and the Unix epoch.
    static let epochShiftDays: Int64 = 719_468
    /// Days in one 400-year Gregorian era.
    static let daysPerEra: Int64 = 146_097
    /// Years beyond which a day number no longer fits the millisecond range of `Int64`.
    static let maxAbsYear: Int64 = 300_000_000

    /// Whether `year` has a February 29.
    public static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in `month` (1–12) of `year`; 0 for a month outside 1–12.
    public static func daysInMonth(year: Int64, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: 31
        case 4, 6, 9, 11: 30
        case 2: isLeapYear(year) ? 29 : 28
        default: 0
        }
    }

    /// The day number (days since 1970-01-01, negative before) of a valid civil date.
    ///
    /// The caller keeps `month` in 1–12, `day` in 1–31 and `|year|` within ``maxAbsYear``; the
    /// arithmetic is exact there.
    public static func daysFromCivil(year: Int64, month: Int, day: Int) -> Int64 {
        // January and February count as months 10 and 11 of the previous March-based year.
        let marchYear = month <= 2 ? year - 1 : year
        let era = floorDivide(marchYear, 400)
        let yearOfEra = marchYear - era * 400
        let marchMonth = Int64(month > 2 ? month - 3 : month + 9)
        // 153 days per 5 months (31 30 31 30 31) makes each month's first day linear in its index.
        let dayOfYear = (153 * marchMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * daysPerEra + dayOfEra - epochShiftDays
    }

    /// The civil date of a day number; total over every `Int64` a millisecond instant can yield.
    public static func civilFromDays(_ days: Int64) -> CivilDate {
        let shifted = days + epochShiftDays
        let era = floorDivide(shifted, daysPerEra)
        let dayOfEra = shifted - era * daysPerEra
        // Removes the leap days of the era so far (one per 4 years, none per 100, one per 400)
        // before dividing by 365; the last day of the era (146,096) is handled by the third term.
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return CivilDate(year: year, month: Int(month), day: Int(day))
    }
}

/// A calendar date in the proleptic Gregorian calendar (UTC, no time of day).
public struct CivilDate: Sendable, Hashable, Comparable {
    public let year: Int64
    /// 1–12.
    public let month: Int
    /// 1–31.
    public let day: Int

    /// Creates a date; the fields are taken as given (see ``CivilCalendar``).
    public init(year: Int64, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day number of this date, counted from 1970-01-01.
    public var daysSinceEpoch: Int64 {
        CivilCalendar.daysFromCivil(year: year, month: month, day: day)
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// Integer division rounding toward negative infinity, so instants before 1970 get the right day.
@inline(__always)
func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
}

/// The remainder matching ``floorDivide(_:_:)``: it has the divisor's sign.
///
/// Taken from `%` rather than `value − quotient × divisor`, which overflows near `Int64.min`.
@inline(__always)
func floorModulo(_ value: Int64, _ divisor: Int64) -> Int64 {
    let remainder = value % divisor
    return remainder != 0 && (remainder < 0) != (divisor < 0) ? remainder + divisor : remainder
}
