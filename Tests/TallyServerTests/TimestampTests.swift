// Proves RFC 3339 times are written as UTC with milliseconds and read back exactly, offsets
// included, and that impossible dates are refused.
import TallyCore
import Testing
import TallyServer

@Suite struct TimestampTests {
    @Test func formatsUTCWithMilliseconds() {
        #expect(Timestamp.format(0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(1_768_471_200_123) == "2026-01-15T10:00:00.123Z")
        #expect(Timestamp.format(951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp.format(-1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func roundTripsAcrossYears() {
        var ms: Int64 = -2_000_000_000_000
        while ms < 5_000_000_000_000 {
            #expect(Timestamp.parse(Timestamp.format(ms)) == ms)
            ms += 86_399_987_123
        }
    }

    @Test func parsesFractionsAndOffsets() {
        #expect(Timestamp.parse("2026-01-15T10:00:00Z") == 1_768_471_200_000)
        #expect(Timestamp.parse("2026-01-15T10:00:00.5Z") == 1_768_471_200_500)
        #expect(Timestamp.parse("2026-01-15T10:00:00.123456789Z") == 1_768_471_200_123)
        #expect(Timestamp.parse("2026-01-15T11:30:00+01:30") == 1_768_471_200_000)
        #expect(Timestamp.parse("2026-01-15t08:00:00-02:00") == 1_768_471_200_000)
    }

    @Test func refusesImpossibleTimes() {
        for bad in ["2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-32T00:00:00Z", "2026-01-15T24:00:00Z",
                    "2026-01-15T10:60:00Z", "2026-01-15 10:00:00Z", "2026-01-15T10:00:00", "2026-01-15T10:00:00.Z",
                    "2026-01-15T10:00:00+0100", "yesterday", "2026-01-15T10:00:00Zjunk"] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
    }
}
