// Retry-After is read as delay seconds or an IMF-fixdate HTTP date, relative to the caller's
// clock; anything else is ignored.
import Testing
import TallyCore

@Suite struct RetryAfterTests {
    /// `ms` (a whole second) written as an IMF-fixdate.
    static func httpDate(_ ms: Int64) -> String {
        let time = UTCDateTime(epochMs: ms)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(ms / 86_400_000 % 7)]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][time.month - 1]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(two(time.day)) \(month) \(time.year) \(two(time.hour)):\(two(time.minute)):\(two(time.second)) GMT"
    }

    @Test func secondsAreADelay() {
        #expect(RetryAfter.delayMs("120", nowMs: 5) == 120_000)
        #expect(RetryAfter.delayMs(" 0 ", nowMs: 5) == 0)
        #expect(RetryAfter.delayMs("999999999999999", nowMs: 0) == 999_999_999_999_999_000)
    }

    @Test func anHTTPDateIsADelayFromNow() {
        #expect(RetryAfter.httpDateMs("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777_000)
        let nowMs: Int64 = 1_795_000_000_000
        #expect(RetryAfter.delayMs(Self.httpDate(nowMs + 90_000), nowMs: nowMs) == 90_000)
        #expect(RetryAfter.delayMs(Self.httpDate(nowMs - 90_000), nowMs: nowMs) == 0, "a past date means now")
    }

    @Test func otherFormsAreIgnored() {
        for text in ["", "-5", "+5", "1.5", "soon", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
            "1234567890123456"]
        {
            #expect(RetryAfter.delayMs(text, nowMs: 0) == nil, "\(text)")
        }
    }
}
