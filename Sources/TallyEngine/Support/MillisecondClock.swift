import Foundation
import Synchronization

/// Where the engine reads the time of day, in milliseconds since the epoch; injected so tests and
/// the test clock control it.
///
/// Durations and deadlines read `MonotonicClock` instead, which never jumps.
public protocol MillisecondClock: Sendable {
    /// Milliseconds since the Unix epoch.
    func nowMs() -> Int64
}

/// The machine's wall clock.
public struct SystemClock: MillisecondClock {
    /// Creates the system clock.
    public init() {}

    public func nowMs() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000 + Int64(time.tv_nsec) / 1_000_000
    }
}

/// A clock that stands still until told to move; for tests and `--test-clock`.
public final class ManualClock: MillisecondClock {
    private let current: Mutex<Int64>

    /// Creates a clock reading `startMs`.
    public init(startMs: Int64) { current = Mutex(startMs) }

    public func nowMs() -> Int64 { current.withLock { $0 } }

    /// Moves the clock forward by `ms` (never backwards) and returns the new time.
    @discardableResult
    public func advance(byMs ms: Int64) -> Int64 {
        precondition(ms >= 0, "a clock never goes back")
        return current.withLock { now in
            now += ms
            return now
        }
    }

    /// Moves the clock forward by `ms` unless that would take it past `limitMs`, in one step so
    /// concurrent moves cannot pass the limit together; the new time, or nil when it stayed.
    public func advance(byMs ms: Int64, notPast limitMs: Int64) -> Int64? {
        precondition(ms >= 0, "a clock never goes back")
        return current.withLock { now in
            guard now <= limitMs - ms else { return nil }
            now += ms
            return now
        }
    }
}
