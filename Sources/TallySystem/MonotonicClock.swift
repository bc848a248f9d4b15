import Glibc

/// The one monotonic clock every layer reads for deadlines, durations and idle times.
///
/// It is `CLOCK_MONOTONIC`: it never jumps with the wall clock, and its readings mean nothing
/// across processes.
public enum MonotonicClock {
    /// Nanoseconds on the monotonic clock.
    @inlinable
    public static func nowNs() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// Milliseconds on the monotonic clock.
    @inlinable
    public static func nowMs() -> Int64 { Int64(nowNs() / 1_000_000) }
}
