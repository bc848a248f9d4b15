// Helpers for the plan, period and threshold tests: a seeded generator, an id counter and UTC
// instants written as dates. Names are prefixed so they sit beside the other core tests.
import Testing
import TallyCore
import TallyTesting

/// A seeded generator for a property test, printing its seed so the test replays exactly.
func planRandom(seed: UInt64) -> SplitMix64 {
    print("PlanRandom seed \(seed)")
    return SplitMix64(seed: seed)
}

/// Ids from a counter, as the database sequence would give them.
struct PlanIDs: IDSource {
    var last: Int64 = 0
    mutating func next() -> Int64 {
        last += 1
        return last
    }
}

/// The instant of a UTC date and time; the fields must be valid.
func utcMs(
    _ year: Int64, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0,
    _ millisecond: Int = 0
) -> Int64 {
    guard
        let instant = UTCDateTime(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            millisecond: millisecond)
    else { preconditionFailure("invalid test date \(year)-\(month)-\(day)") }
    return instant.epochMs
}

/// Milliseconds in a day, for readable test arithmetic.
let planDayMs: Int64 = 86_400_000
