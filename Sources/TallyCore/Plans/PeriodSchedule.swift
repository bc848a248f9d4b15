/// The periods of an account's plan: period `n` starts at the anchor plus `n` units.
///
/// Month and year steps land on the anchor's day of the month, clamped to the last day of shorter
/// months (an anchor on Jan 31 gives Feb 28 or 29, then Mar 31), and keep the anchor's time of
/// day. Each start is computed from the anchor, never from the previous clamped start, so a
/// short month never drags later periods to an earlier day. A year is twelve months (a Feb 29
/// anchor gives Feb 28 in common years); a week is seven days. Every function is total: nil only
/// when an instant lies so far from 1970 (hundreds of millions of years) that a period bound
/// would not fit in `Int64` milliseconds.
public struct PeriodSchedule: Sendable, Hashable {
    /// The most period starts ``startsCrossed(after:through:limit:)`` returns by default.
    public static let maxCrossedStarts = 1_000

    public let anchorMs: Int64
    public let unit: PeriodUnit

    /// The anchor split into calendar fields, kept so month steps need not recompute them.
    private let anchor: UTCDateTime

    /// Creates the schedule anchored at `anchorMs` (usually the account's creation or plan start).
    public init(anchorMs: Int64, unit: PeriodUnit) {
        self.anchorMs = anchorMs
        self.unit = unit
        self.anchor = UTCDateTime(epochMs: anchorMs)
    }

    /// The start of period `index` (0 is the anchor itself).
    public func startMs(ofPeriod index: Int64) -> Int64? {
        if let lengthMs = unit.fixedLengthMs {
            let (offset, overflow) = index.multipliedReportingOverflow(by: lengthMs)
            guard !overflow else { return nil }
            let (start, overflowed) = anchorMs.addingReportingOverflow(offset)
            return overflowed ? nil : start
        }
        let (months, overflow) = index.multipliedReportingOverflow(by: unit.months ?? 1)
        guard !overflow else { return nil }
        let (monthIndex, overflowed) = Int64(anchor.month - 1).addingReportingOverflow(months)
        guard !overflowed else { return nil }
        let year = anchor.year + floorDivide(monthIndex, 12)
        guard abs(year) <= CivilCalendar.maxAbsYear else { return nil }
        let month = Int(floorModulo(monthIndex, 12)) + 1
        let day = min(anchor.day, CivilCalendar.daysInMonth(year: year, month: month))
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        return UTCDateTime.instantMs(days: days, msOfDay: anchor.msOfDay)
    }

    /// The period `index`, or nil when its bounds do not fit.
    public func period(_ index: Int64) -> Period? {
        guard index < .max, let start = startMs(ofPeriod: index),
            let end = startMs(ofPeriod: index + 1)
        else { return nil }
        return Period(index: index, startMs: start, endMs: end)
    }

    /// The period that contains `instantMs` (its start ≤ the instant < its end).
    public func period(containing instantMs: Int64) -> Period? {
        guard let index = periodIndex(containing: instantMs) else { return nil }
        return period(index)
    }

    /// The first period start strictly after `instantMs`.
    public func nextStartMs(after instantMs: Int64) -> Int64? {
        period(containing: instantMs)?.endMs
    }

    /// The periods that begin in `(fromMs, toMs]`, oldest first: one per boundary an account
    /// last seen at `fromMs` has crossed by `toMs`.
    ///
    /// At most `limit` periods are returned (the oldest ones); a caller catching up further
    /// calls again from the last start it got. Empty when `toMs <= fromMs`.
    public func startsCrossed(
        after fromMs: Int64, through toMs: Int64, limit: Int = PeriodSchedule.maxCrossedStarts
    ) -> [Period] {
        guard toMs > fromMs, limit > 0, let first = periodIndex(containing: fromMs),
            let last = periodIndex(containing: toMs), last > first
        else { return [] }
        var periods: [Period] = []
        var index = first + 1
        while index <= last, periods.count < limit, let period = period(index) {
            periods.append(period)
            index += 1
        }
        return periods
    }

    /// The index of the period containing `instantMs`.
    private func periodIndex(containing instantMs: Int64) -> Int64? {
        if let lengthMs = unit.fixedLengthMs {
            let (offset, overflow) = instantMs.subtractingReportingOverflow(anchorMs)
            return overflow ? nil : floorDivide(offset, lengthMs)
        }
        // Period n starts in calendar month (anchor month + n × months), so the instant's own
        // month gives the index, or the one before when the instant is earlier in that month
        // than the (clamped) anchor day and time.
        let instant = UTCDateTime(epochMs: instantMs)
        let monthsApart =
            (instant.year - anchor.year) * 12 + Int64(instant.month - anchor.month)
        let perPeriod = unit.months ?? 1
        let guess = floorDivide(monthsApart, perPeriod)
        guard let start = startMs(ofPeriod: guess) else { return nil }
        return start <= instantMs ? guess : guess - 1
    }
}
