// UTC calendar math without Foundation: days ↔ civil dates agree with known instants, walk the
// calendar one day at a time for 5,000+ years without a gap, and split milliseconds exactly.
import TallyTesting
import Testing
import TallyCore

@Suite struct CivilCalendarTests {
    @Test func knownInstants() {
        let cases: [(Int64, Int64, Int, Int, Int, Int, Int, Int)] = [
            (0, 1970, 1, 1, 0, 0, 0, 0),
            (-1, 1969, 12, 31, 23, 59, 59, 999),
            (951_782_400_000, 2000, 2, 29, 0, 0, 0, 0),
            (1_700_000_000_000, 2023, 11, 14, 22, 13, 20, 0),
            (253_402_300_799_999, 9999, 12, 31, 23, 59, 59, 999),
            (-62_135_596_800_000, 1, 1, 1, 0, 0, 0, 0),
            (-2_208_988_800_000, 1900, 1, 1, 0, 0, 0, 0),
        ]
        for (ms, year, month, day, hour, minute, second, millisecond) in cases {
            let time = UTCDateTime(epochMs: ms)
            #expect(time.year == year && time.month == month && time.day == day, "\(ms)")
            #expect(time.hour == hour && time.minute == minute, "\(ms)")
            #expect(time.second == second && time.millisecond == millisecond, "\(ms)")
            #expect(
                UTCDateTime(
                    year: year, month: month, day: day, hour: hour, minute: minute,
                    second: second, millisecond: millisecond)?.epochMs == ms)
        }
    }

    @Test func everyDayFollowsTheOneBefore() {
        // From the year −768 to 4160 (1.8 million days): each day number maps to the calendar
        // successor of the previous one, and back to itself.
        var previous = CivilCalendar.civilFromDays(-1_000_000)
        #expect(previous.daysSinceEpoch == -1_000_000)
        var failures = 0
        for days in Int64(-999_999)...Int64(800_000) {
            let date = CivilCalendar.civilFromDays(days)
            let lastDay = CivilCalendar.daysInMonth(year: previous.year, month: previous.month)
            let expected: CivilDate =
                previous.day < lastDay
                ? CivilDate(year: previous.year, month: previous.month, day: previous.day + 1)
                : previous.month < 12
                    ? CivilDate(year: previous.year, month: previous.month + 1, day: 1)
                    : CivilDate(year: previous.year + 1, month: 1, day: 1)
            if date != expected || date.daysSinceEpoch != days {
                failures += 1
                if failures < 5 { Issue.record("day \(days): \(date), expected \(expected)") }
            }
            previous = date
        }
        #expect(failures == 0)
    }

    @Test func leapYears() {
        #expect(CivilCalendar.isLeapYear(2024) && CivilCalendar.isLeapYear(2000))
        #expect(!CivilCalendar.isLeapYear(1900) && !CivilCalendar.isLeapYear(2023))
        #expect(CivilCalendar.isLeapYear(0) && CivilCalendar.isLeapYear(-4))
        #expect(CivilCalendar.daysInMonth(year: 2024, month: 2) == 29)
        #expect(CivilCalendar.daysInMonth(year: 2100, month: 2) == 28)
        #expect(CivilCalendar.daysInMonth(year: 2023, month: 13) == 0)
        #expect(UTCDateTime(year: 2024, month: 2, day: 29) != nil)
        #expect(UTCDateTime(year: 2023, month: 2, day: 29) == nil)
    }

    @Test func invalidFieldsAreRefused() {
        #expect(UTCDateTime(year: 2024, month: 0, day: 1) == nil)
        #expect(UTCDateTime(year: 2024, month: 4, day: 31) == nil)
        #expect(UTCDateTime(year: 2024, month: 1, day: 1, hour: 24) == nil)
        #expect(UTCDateTime(year: 2024, month: 1, day: 1, minute: 60) == nil)
        #expect(UTCDateTime(year: 2024, month: 1, day: 1, second: 60) == nil)
        #expect(UTCDateTime(year: 2024, month: 1, day: 1, millisecond: 1_000) == nil)
        #expect(UTCDateTime(year: 400_000_000, month: 1, day: 1) == nil)
    }

    @Test(arguments: [UInt64(7), 1_234, 987_654_321])
    func millisecondsRoundTrip(seed: UInt64) {
        var random = planRandom(seed: seed)
        for _ in 0..<20_000 {
            let ms = Int64.random(in: -100_000_000_000_000...100_000_000_000_000, using: &random)
            let time = UTCDateTime(epochMs: ms)
            let rebuilt = UTCDateTime(
                year: time.year, month: time.month, day: time.day, hour: time.hour,
                minute: time.minute, second: time.second, millisecond: time.millisecond)
            if rebuilt?.epochMs != ms {
                Issue.record("\(ms) rebuilt as \(String(describing: rebuilt))")
            }
            if time.msOfDay < 0 || time.msOfDay >= planDayMs { Issue.record("msOfDay of \(ms)") }
        }
    }

    @Test func extremeInstantsNeverTrap() {
        for ms in [Int64.min, .min + 1, -1, 0, .max - 1, .max] {
            let time = UTCDateTime(epochMs: ms)
            #expect((1...12).contains(time.month) && (1...31).contains(time.day))
            #expect(time.epochMs == ms)
        }
    }

    @Test func monthNumbersCountCalendarMonths() {
        #expect(
            UTCDateTime(epochMs: utcMs(2024, 1, 31, 23, 59, 59, 999)).monthNumber + 1
                == UTCDateTime(epochMs: utcMs(2024, 2, 1)).monthNumber)
        #expect(
            UTCDateTime(epochMs: utcMs(2023, 12, 15)).monthNumber + 1
                == UTCDateTime(epochMs: utcMs(2024, 1, 1)).monthNumber)
    }
}
