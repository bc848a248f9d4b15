import Glibc

/// Monotonic time for deadlines and durations.
enum Clock {
    /// Nanoseconds on the monotonic clock.
    static func nowNs() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// Milliseconds on the monotonic clock.
    static func nowMs() -> Int {
        Int(nowNs() / 1_000_000)
    }
}
