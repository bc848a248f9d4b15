// Period arithmetic as properties over anchors sampled (seeded, seed printed) from every
// second of day across 1995–2035, plus the calendar corners: month ends, Feb 29, year ends, gaps.
import TallyTesting
import Testing
import TallyCore

@Suite struct PeriodScheduleTests {
    /// An anchor at a random second of a random day in 1995–2035, with random milliseconds.
    static func randomAnchor(using random: inout SplitMix64) -> Int64 {
        let first = CivilDate(year: 1995, month: 1, day: 1).daysSinceEpoch
        let last = CivilDate(year: 2035, month: 12, day: 31).daysSinceEpoch
        let day = Int64.random(in: first...last, using: &random)
        let second = Int64.random(in: 0..<86_400, using: &random)
        return day * planDayMs + second * 1_000 + Int64.random(in: 0..<1_000, using: &random)
    }

    /// How many periods each property walks, per unit (five years or more of each).
    static func span(_ unit: PeriodUnit) -> ClosedRange<Int64> {
        switch unit {
        case .day: -5...800
        case .week: -5...270
        case .month: -5...80
        case .year: -3...12
        }
    }

    @Test(arguments: [UInt64(20_261_125), 42, 8_675_309])
    func startsIncreaseAndPeriodsContainTheirStartButNotTheirEnd(seed: UInt64) throws {
        var random = planRandom(seed: seed)
        for _ in 0..<150 {
            let anchorMs = Self.randomAnchor(using: &random)
            let anchor = UTCDateTime(epochMs: anchorMs)
            for unit in PeriodUnit.allCases {
                let schedule = PeriodSchedule(anchorMs: anchorMs, unit: unit)
                #expect(schedule.startMs(ofPeriod: 0) == anchorMs)
                var previous: Int64?
                for index in Self.span(unit) {
                    guard let period = schedule.period(index) else {
                        Issue.record("no period \(index) for \(anchorMs) \(unit)")
                        continue
                    }
                    let start = UTCDateTime(epochMs: period.startMs)
                    if let previous, period.startMs <= previous {
                        Issue.record(
                            "seed \(seed) anchor \(anchorMs) \(unit) #\(index): not increasing")
                    }
                    previous = period.startMs
                    if start.msOfDay != anchor.msOfDay {
                        Issue.record("anchor \(anchorMs) \(unit) #\(index): time of day moved")
                    }
                    let inside = Int64.random(in: period.startMs..<period.endMs, using: &random)
                    for (instant, expected) in [
                        (period.startMs, index), (period.endMs - 1, index), (inside, index),
                        (period.endMs, index + 1), (period.startMs - 1, index - 1),
                    ] where schedule.period(containing: instant)?.index != expected {
                        Issue.record("anchor \(anchorMs) \(unit): \(instant) not in #\(expected)")
                    }
                    if !period.contains(period.startMs) || period.contains(period.endMs) {
                        Issue.record("anchor \(anchorMs) \(unit) #\(index): bounds")
                    }
                    if schedule.nextStartMs(after: period.startMs) != period.endMs
                        || schedule.nextStartMs(after: period.startMs - 1) != period.startMs
                    {
                        Issue.record("anchor \(anchorMs) \(unit) #\(index): next start")
                    }
                    try Self.checkCalendarStep(
                        anchor: anchor, unit: unit, index: index, start: start)
                }
            }
        }
    }

    /// Day and week starts are exact multiples; month and year starts sit on the anchor's day
    /// clamped to the month, in the month `index` steps on from the anchor's.
    static func checkCalendarStep(
        anchor: UTCDateTime, unit: PeriodUnit, index: Int64, start: UTCDateTime
    ) throws {
        if let length = unit.fixedLengthMs {
            if start.epochMs != anchor.epochMs + index * length {
                Issue.record("\(unit) #\(index) of \(anchor.epochMs) is not a multiple")
            }
            return
        }
        let months = unit == .month ? index : index * 12
        let monthIndex = anchor.year * 12 + Int64(anchor.month - 1) + months
        #expect(start.monthNumber == monthIndex)
        let clamped = min(
            anchor.day, CivilCalendar.daysInMonth(year: start.year, month: start.month))
        if start.day != clamped {
            Issue.record(
                "\(unit) #\(index) of \(anchor.epochMs): day \(start.day), expected \(clamped)")
        }
    }

    @Test func monthEndAnchorsClampAndReturnToThe31st() throws {
        let schedule = PeriodSchedule(anchorMs: utcMs(2023, 1, 31, 10, 20, 30, 456), unit: .month)
        let starts = (0...13).map { UTCDateTime(epochMs: schedule.startMs(ofPeriod: $0)!) }
        #expect(starts.map(\.day) == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 29])
        #expect(starts.map(\.month) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2])
        #expect(
            starts.allSatisfy {
                $0.hour == 10 && $0.minute == 20 && $0.second == 30 && $0.millisecond == 456
            })
        // An instant on Feb 28 after the clamped start belongs to the February period.
        let feb = try #require(schedule.period(containing: utcMs(2023, 2, 28, 23)))
        #expect(feb.index == 1 && feb.startMs == utcMs(2023, 2, 28, 10, 20, 30, 456))
        #expect(feb.endMs == utcMs(2023, 3, 31, 10, 20, 30, 456))
        // Every month-end anchor (28th to 31st) of every month of a decade returns to its day.
        for year in Int64(2020)...2030 {
            for month in 1...12 {
                for day in 28...CivilCalendar.daysInMonth(year: year, month: month) {
                    let anchorMs = utcMs(year, month, day, 23, 59, 59, 999)
                    let monthly = PeriodSchedule(anchorMs: anchorMs, unit: .month)
                    for index in Int64(1)...36 {
                        let start = UTCDateTime(epochMs: monthly.startMs(ofPeriod: index)!)
                        let expected = min(
                            day, CivilCalendar.daysInMonth(year: start.year, month: start.month))
                        if start.day != expected {
                            Issue.record("\(year)-\(month)-\(day) #\(index)")
                        }
                    }
                }
            }
        }
    }

    @Test func leapDayAnchors() {
        let anchor = utcMs(2024, 2, 29, 12)
        let yearly = PeriodSchedule(anchorMs: anchor, unit: .year)
        let years = (0...8).map { UTCDateTime(epochMs: yearly.startMs(ofPeriod: $0)!) }
        #expect(years.map(\.year) == [2024, 2025, 2026, 2027, 2028, 2029, 2030, 2031, 2032])
        #expect(years.map(\.day) == [29, 28, 28, 28, 29, 28, 28, 28, 29])
        #expect(years.allSatisfy { $0.month == 2 && $0.hour == 12 })
        // Before the anchor too: 2023-02-28 and 2020-02-29.
        #expect(yearly.startMs(ofPeriod: -1) == utcMs(2023, 2, 28, 12))
        #expect(yearly.startMs(ofPeriod: -4) == utcMs(2020, 2, 29, 12))
        // Monthly from Feb 29 stays on the 29th, and February of common years clamps to 28.
        let monthly = PeriodSchedule(anchorMs: anchor, unit: .month)
        #expect(monthly.startMs(ofPeriod: 1) == utcMs(2024, 3, 29, 12))
        #expect(monthly.startMs(ofPeriod: 12) == utcMs(2025, 2, 28, 12))
        #expect(monthly.startMs(ofPeriod: 13) == utcMs(2025, 3, 29, 12))
        #expect(monthly.startMs(ofPeriod: 48) == utcMs(2028, 2, 29, 12))
        // 2100 is not a leap year.
        #expect(yearly.startMs(ofPeriod: 76) == utcMs(2100, 2, 28, 12))
    }

    @Test func yearBoundaries() {
        let anchor = utcMs(2023, 12, 31, 23, 59, 59, 999)
        #expect(
            PeriodSchedule(anchorMs: anchor, unit: .day).startMs(ofPeriod: 1)
                == utcMs(2024, 1, 1, 23, 59, 59, 999))
        #expect(
            PeriodSchedule(anchorMs: anchor, unit: .week).startMs(ofPeriod: 1)
                == utcMs(2024, 1, 7, 23, 59, 59, 999))
        let monthly = PeriodSchedule(anchorMs: anchor, unit: .month)
        #expect(monthly.startMs(ofPeriod: 1) == utcMs(2024, 1, 31, 23, 59, 59, 999))
        #expect(monthly.startMs(ofPeriod: 2) == utcMs(2024, 2, 29, 23, 59, 59, 999))
        #expect(monthly.startMs(ofPeriod: -1) == utcMs(2023, 11, 30, 23, 59, 59, 999))
        #expect(monthly.period(containing: utcMs(2024, 1, 1))?.index == 0)
        #expect(
            PeriodSchedule(anchorMs: anchor, unit: .year).startMs(ofPeriod: 1)
                == utcMs(2024, 12, 31, 23, 59, 59, 999))
        // New Year's midnight anchor: the last millisecond of the year is in the old period.
        let newYear = PeriodSchedule(anchorMs: utcMs(2024, 1, 1), unit: .year)
        #expect(newYear.period(containing: utcMs(2024, 12, 31, 23, 59, 59, 999))?.index == 0)
        #expect(newYear.period(containing: utcMs(2025, 1, 1))?.index == 1)
    }

    @Test func instantsBefore1970AndBeforeTheAnchor() {
        let schedule = PeriodSchedule(anchorMs: utcMs(1969, 12, 31, 18), unit: .month)
        #expect(schedule.period(containing: utcMs(1969, 12, 1))?.index == -1)
        #expect(schedule.period(containing: utcMs(1970, 1, 31, 18))?.index == 1)
        #expect(schedule.startMs(ofPeriod: -10) == utcMs(1969, 2, 28, 18))
        let daily = PeriodSchedule(anchorMs: -1, unit: .day)
        #expect(daily.period(containing: -2)?.index == -1)
        #expect(daily.period(containing: -1)?.index == 0)
    }

    @Test func aFourteenMonthIdleGapYieldsExactlyFourteenBoundaries() throws {
        let schedule = PeriodSchedule(anchorMs: utcMs(2024, 1, 31, 9), unit: .month)
        let crossed = schedule.startsCrossed(after: utcMs(2024, 2, 20), through: utcMs(2025, 4, 20))
        #expect(crossed.count == 14)
        #expect(crossed.first?.startMs == utcMs(2024, 2, 29, 9))
        // Feb 20 is still in period 0 (the February period starts on the clamped 29th).
        #expect(crossed.last?.startMs == utcMs(2025, 3, 31, 9))
        #expect(crossed.map(\.index) == Array(1...14))
        #expect(zip(crossed, crossed.dropFirst()).allSatisfy { $0.endMs == $1.startMs })
    }

    @Test(arguments: [UInt64(14), 1_400, 31_337])
    func idleGapsCrossOneBoundaryPerPeriod(seed: UInt64) throws {
        var random = planRandom(seed: seed)
        for _ in 0..<300 {
            let unit = PeriodUnit.allCases.randomElement(using: &random)!
            let schedule = PeriodSchedule(anchorMs: Self.randomAnchor(using: &random), unit: unit)
            let first = Int64.random(in: -20...200, using: &random)
            let gap = unit == .month ? 14 : Int64.random(in: 0...40, using: &random)
            let from = try #require(schedule.period(first))
            let to = try #require(schedule.period(first + gap))
            let fromMs = Int64.random(in: from.startMs..<from.endMs, using: &random)
            let toMs = Int64.random(in: to.startMs..<to.endMs, using: &random)
            let crossed = schedule.startsCrossed(after: fromMs, through: toMs)
            #expect(crossed.map(\.index) == Array((first + 1)..<(first + gap + 1)))
            #expect(crossed.allSatisfy { fromMs < $0.startMs && $0.startMs <= toMs })
            #expect(crossed == (0..<gap).map { schedule.period(first + 1 + $0)! })
        }
    }

    @Test func crossingAStartExactlyCountsIt() {
        let schedule = PeriodSchedule(anchorMs: utcMs(2024, 3, 1), unit: .day)
        #expect(
            schedule.startsCrossed(after: utcMs(2024, 3, 1), through: utcMs(2024, 3, 2)).count == 1)
        #expect(
            schedule.startsCrossed(after: utcMs(2024, 3, 2), through: utcMs(2024, 3, 2)).isEmpty)
        #expect(
            schedule.startsCrossed(after: utcMs(2024, 3, 3), through: utcMs(2024, 3, 2)).isEmpty)
        #expect(
            schedule.startsCrossed(after: utcMs(2024, 3, 2) - 1, through: utcMs(2024, 3, 2) + 1)
                .count == 1)
    }

    @Test func longGapsAreCappedAndPageInOrder() {
        let schedule = PeriodSchedule(anchorMs: utcMs(2020, 1, 1), unit: .day)
        let toMs = utcMs(2026, 1, 1)
        var fromMs = utcMs(2020, 1, 1)
        var all: [Period] = []
        while true {
            let page = schedule.startsCrossed(after: fromMs, through: toMs)
            #expect(page.count <= PeriodSchedule.maxCrossedStarts)
            guard let last = page.last else { break }
            all += page
            fromMs = last.startMs
        }
        #expect(all.count == 2_192)
        #expect(all.map(\.index) == Array(1...2_192))
        #expect(
            schedule.startsCrossed(after: utcMs(2020, 1, 1), through: toMs, limit: 3).map(\.index)
                == [1, 2, 3])
        #expect(schedule.startsCrossed(after: utcMs(2020, 1, 1), through: toMs, limit: 0).isEmpty)
    }

    @Test func extremeInstantsNeverTrap() {
        for unit in PeriodUnit.allCases {
            for anchor in [Int64.min, -1, 0, 1_700_000_000_000, .max] {
                let schedule = PeriodSchedule(anchorMs: anchor, unit: unit)
                for instant in [Int64.min, .min + 1, 0, .max - 1, .max] {
                    if let period = schedule.period(containing: instant) {
                        #expect(period.contains(instant))
                    }
                    _ = schedule.nextStartMs(after: instant)
                    _ = schedule.startsCrossed(after: instant, through: .max, limit: 2)
                }
                for index in [Int64.min, -1, 0, 1, .max] { _ = schedule.period(index) }
            }
        }
    }
}
