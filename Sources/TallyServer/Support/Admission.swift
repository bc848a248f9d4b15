import Synchronization

/// Admits a request only while the requests already in flight are few enough to be answered
/// within the queueing bound, so past capacity the rest are refused at once with 503 instead of
/// every answer slowing down.
///
/// By Little's law, `throughput × target` requests in flight are answered within the target on
/// average. The bound is on the slowest answers, not the average: under overload the p99 came
/// to about three times the mean (`Benchmarks/overload.sh`), so the target is a third of the
/// bound, or twice the fastest answer seen lately when that is slower (a disk whose
/// every fsync takes longer than the bound is slow, not overloaded: cutting there would shrink
/// the batches it commits and spiral down). While answers come slower than the target (a
/// smoothed latency, so one slow commit does not count), the limit drops to that product over
/// the last window of answers (at most once per ``cutIntervalNs``): never below what the server
/// just showed it can answer, so refusing never costs throughput. While answers come faster than
/// half the target it grows by 1/limit per answer, about one per round of answers.
public final class Admission: Sendable {
    /// The fewest requests ever admitted at once, so a burst of slow answers cannot stop all work
    /// and a client's burst of a few dozen requests is never refused on a merely slow server.
    public static let minimumLimit = 64
    /// The most requests admitted at once, whatever the answers' times.
    public static let maximumLimit = 4_096
    /// The shortest time between two cuts of the limit.
    public static let cutIntervalNs: UInt64 = 10_000_000
    /// How long a window of answers is counted to measure throughput.
    public static let windowNs: UInt64 = 100_000_000
    /// How many times the mean latency the slowest answers (p99) take under overload.
    public static let tailFactor = 3.0

    private struct State {
        var inFlight = 0
        var limit: Double
        var lastCutNs: UInt64 = 0
        /// Smoothed over about the last 16 answers.
        var latencyNs: Double = 0
        var windowStartNs: UInt64 = 0
        var windowAnswers = 0
        /// Answers per second in the last whole window; 0 until one was measured.
        var throughput: Double = 0
        /// The fastest answer lately: the smallest of each window, rising 1 % a window at most.
        var fastestNs: Double = .infinity
        var windowFastestNs: Double = .infinity
    }

    private let boundNs: UInt64
    private let state: Mutex<State>

    /// Creates an admission control whose answers should come within `boundMs`, starting at `initialLimit`.
    public init(boundMs: Int, initialLimit: Int = Admission.maximumLimit) {
        precondition(boundMs > 0, "a zero bound would refuse everything")
        boundNs = UInt64(boundMs) * 1_000_000
        state = Mutex(State(limit: Double(min(max(initialLimit, Self.minimumLimit), Self.maximumLimit))))
    }

    /// Takes a place for a request; false when the limit is reached and it must be refused.
    public func enter() -> Bool {
        state.withLock { state in
            guard state.inFlight < Int(state.limit) else { return false }
            state.inFlight += 1
            return true
        }
    }

    /// Gives the place back once the request was answered after `latencyNs`, at `nowNs` (monotonic).
    public func leave(latencyNs: UInt64, nowNs: UInt64) {
        state.withLock { state in
            precondition(state.inFlight > 0, "leave() without enter()")
            state.inFlight -= 1
            count(&state, latencyNs: latencyNs, nowNs: nowNs)
            // Until a first window is measured there is no throughput nor fastest answer to go by.
            guard state.throughput > 0 else { return }
            let target = max(Double(boundNs) / Self.tailFactor, 2 * state.fastestNs)
            if state.latencyNs > target {
                guard nowNs &- state.lastCutNs >= Self.cutIntervalNs else { return }
                state.lastCutNs = nowNs
                let sustainable = state.throughput * target / 1e9
                state.limit = max(Double(Self.minimumLimit), min(state.limit, sustainable))
            } else if state.latencyNs < target / 2 {
                state.limit = min(Double(Self.maximumLimit), state.limit + 1 / state.limit)
            }
        }
    }

    private func count(_ state: inout State, latencyNs: UInt64, nowNs: UInt64) {
        state.latencyNs += (Double(latencyNs) - state.latencyNs) / 16
        state.windowFastestNs = min(state.windowFastestNs, Double(latencyNs))
        if state.windowStartNs == 0 { state.windowStartNs = nowNs }
        state.windowAnswers += 1
        let elapsed = nowNs &- state.windowStartNs
        guard elapsed >= Self.windowNs else { return }
        state.throughput = Double(state.windowAnswers) * 1e9 / Double(elapsed)
        // Slow to rise: an overload lasting seconds barely moves it; a disk that stays slower
        // for half a minute or more does.
        state.fastestNs = min(state.fastestNs * 1.01, state.windowFastestNs)
        state.windowFastestNs = .infinity
        state.windowStartNs = nowNs
        state.windowAnswers = 0
    }

    /// How many requests may be in flight now.
    public var limit: Int { state.withLock { Int($0.limit) } }

    /// How many requests are in flight now.
    public var inFlight: Int { state.withLock { $0.inFlight } }
}
