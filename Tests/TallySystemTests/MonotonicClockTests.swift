// The monotonic clock never goes back, and its milliseconds are its nanoseconds.
import Testing
import TallySystem

@Suite struct MonotonicClockTests {
    @Test func neverGoesBack() {
        var last = MonotonicClock.nowNs()
        for _ in 0..<10_000 {
            let now = MonotonicClock.nowNs()
            #expect(now >= last)
            last = now
        }
        #expect(MonotonicClock.nowMs() >= Int64(last / 1_000_000))
    }
}
